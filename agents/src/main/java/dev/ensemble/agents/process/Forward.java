package dev.ensemble.agents.process;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One endpoint forwarded into a sandbox's network namespace: inside, {@code socat} listens on
 * {@code insideAddress:target.port} and connects each connection to {@code socket} (the same
 * Unix socket, bound in), where a {@link UnixForwarder} outside connects it to {@code target}.
 * The gateway keeps its loopback address; an allowed host gets its own 127.0.0.x and an
 * {@code /etc/hosts} line, so clients reach it by name on its usual port.
 */
record Forward(Endpoint target, String insideAddress, Path socket) {

    /** The socat command that listens inside. */
    String listenCommand(Path socat) {
        return socat + " TCP-LISTEN:" + target.port() + ",bind=" + insideAddress + ",reuseaddr,fork UNIX-CONNECT:" + socket;
    }

    /** The /proc/net/tcp form of the listening address, to wait for it before the child starts. */
    String procNetTcp() {
        String[] parts = insideAddress.split("\\.");
        StringBuilder hex = new StringBuilder();
        for (int i = 3; i >= 0; i--) hex.append(String.format(Locale.ROOT, "%02X", Integer.parseInt(parts[i])));
        return hex + ":" + String.format(Locale.ROOT, "%04X", target.port()) + " 00000000:0000 0A";
    }
}
