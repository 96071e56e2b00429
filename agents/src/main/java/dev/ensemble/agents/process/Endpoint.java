package dev.ensemble.agents.process;

import java.net.InetAddress;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A TCP endpoint a sandboxed child may reach: ensemble's gateway on loopback, or an allowed host. */
public record Endpoint(String host, int port) {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    private static final Pattern HOST_PORT = Pattern.compile("([^:\\s]+)(?::(\\d{1,5}))?");

    public Endpoint {
        Objects.requireNonNull(host, "host");
        host = host.toLowerCase(Locale.ROOT);
        if (!HOST.matcher(host).matches()) throw new IllegalArgumentException("not a host name: '" + host + "'");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }

    /** {@code host} or {@code host:port} (443 when no port is given). */
    public static Endpoint parse(String text) {
        Matcher m = HOST_PORT.matcher(text == null ? "" : text.strip());
        if (!m.matches()) throw new IllegalArgumentException("expected host or host:port, got '" + text + "'");
        return new Endpoint(m.group(1), m.group(2) == null ? 443 : Integer.parseInt(m.group(2)));
    }

    /** The endpoint of an http(s) base URL; empty when it has no host. */
    public static Optional<Endpoint> ofUrl(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null) return Optional.empty();
            int port = uri.getPort() > 0 ? uri.getPort() : "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
            return Optional.of(new Endpoint(uri.getHost().replace("[", "").replace("]", ""), port));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** localhost or a 127/8 address: reached inside the sandbox at the same address and port. */
    public boolean loopback() {
        if (host.equals("localhost")) return true;
        try {
            return host.matches("[0-9.]+") && InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
