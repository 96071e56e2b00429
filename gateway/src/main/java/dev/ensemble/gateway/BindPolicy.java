package dev.ensemble.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Where the gateway may listen. On a loopback address only this machine's programs reach it; on
 * any other address it spends the operator's provider keys for whoever can connect, so it must
 * then ask every client for a key (ENSEMBLE_TOKEN or a virtual key).
 */
public final class BindPolicy {
    private BindPolicy() {}

    public static boolean loopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) return false;
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Why the gateway must not start on {@code host}, or empty when it may. */
    public static Optional<String> refusal(String host, boolean keyRequired) {
        if (keyRequired || loopback(host)) return Optional.empty();
        return Optional.of("refusing to listen on " + host + " without " + OperatorToken.VARIABLE
                + " or a virtual key: anyone who can reach it could spend your provider keys. Set " + OperatorToken.VARIABLE
                + " (clients send it as their API key), make a key with `ensemble keys create NAME`, or bind 127.0.0.1");
    }
}
