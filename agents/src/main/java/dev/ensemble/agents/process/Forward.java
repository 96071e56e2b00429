package dev.ensemble.agents.process;

import java.nio.file.Path;

/**
 * One endpoint forwarded into a sandbox's network namespace: inside, {@code socat} listens on
 * {@code insideAddress:target.port} and connects each connection to {@code socket}, where the Unix
 * socket {@code hostSocket} (served by a {@link UnixForwarder} outside, which connects it to
 * {@code target}) is bound in. The gateway keeps its loopback address; an allowed host gets its own
 * 127.0.0.x and an {@code /etc/hosts} line, so clients reach it by name on its usual port.
 */
record Forward(Endpoint target, String insideAddress, Path socket, Path hostSocket) {

    /**
     * The socat command that listens inside. {@code -d -d} makes socat say "listening on" once its
     * socket listens, which the prologue waits for instead of polling. {@code -t} is how long a
     * connection's socat waits for the answer once the client has half-closed: socat's default of
     * 0.5 s lost a slow gateway's answer; a connection still ends as soon as both sides have.
     */
    String listenCommand(Path socat) {
        return socat + " -d -d -t " + HALF_CLOSE_WAIT_S + " TCP-LISTEN:" + target.port() + ",bind=" + insideAddress
                + ",reuseaddr,fork UNIX-CONNECT:" + socket;
    }

    static final int HALF_CLOSE_WAIT_S = 3600;
}
