package dev.ensemble.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * Where OpenTelemetry traces of model calls go, from the {@code telemetry:} section. Nothing is
 * exported, and no exporter exists, unless {@code otlp_endpoint} is set.
 *
 * <pre>
 * telemetry:
 *   otlp_endpoint: https://otel.example.com:4318     # OTLP over HTTP/protobuf; /v1/traces is added
 *   allowed_destinations: ["otel.example.com:4318"]
 * </pre>
 *
 * A trace names models, runs and token counts, so the endpoint must be a loopback address or on
 * {@code allowed_destinations}; and that list is read only from the user's own file and
 * {@code ENSEMBLE_*} variables, never from a repository's {@code ensemble.yaml}: a cloned
 * repository must not be able to choose where a user's traces go.
 *
 * @param otlpEndpoint the collector's base URL (empty: tracing off)
 */
public record TelemetrySettings(Optional<URI> otlpEndpoint, List<String> allowedDestinations) {
    public static final TelemetrySettings OFF = new TelemetrySettings(Optional.empty(), List.of());

    public TelemetrySettings {
        Objects.requireNonNull(otlpEndpoint, "otlpEndpoint");
        allowedDestinations = List.copyOf(allowedDestinations);
    }

    /** The URL spans are POSTed to: the endpoint with {@code /v1/traces} added unless it already ends so. */
    public Optional<URI> tracesUrl() {
        return otlpEndpoint.map(base -> {
            String text = base.toString();
            if (text.endsWith("/v1/traces")) return base;
            return URI.create(text.replaceAll("/+$", "") + "/v1/traces");
        });
    }

    /**
     * @param trustedSource whether a layer (a file path or variable, as {@link Origin#source()} names it) may
     *                      allow destinations: false for the repository's {@code ensemble.yaml}
     */
    public static TelemetrySettings load(JsonNode section, ConfigLocator locator, Predicate<String> trustedSource) {
        if (section == null || section.isMissingNode() || section.isNull() || section.isEmpty()) return OFF;
        if (!section.isObject()) throw new ConfigException(List.of(locator.error("telemetry", "expected a mapping")));
        List<ConfigError> errors = new ArrayList<>();
        List<String> allowed = new ArrayList<>();
        JsonNode list = section.path("allowed_destinations");
        if (!list.isMissingNode() && !list.isNull()) {
            String key = "telemetry.allowed_destinations";
            if (!trustedSource.test(locator.locate(key).source())) {
                errors.add(locator.error(key, "is read only from your own config file or ENSEMBLE_* variables, not from a "
                        + "repository's ensemble.yaml (a repository must not choose where your traces go)"));
            } else if (list.isString()) {
                allowed.add(list.asString().strip().toLowerCase(Locale.ROOT));
            } else if (list.isArray()) {
                list.forEach(item -> {
                    if (item.isString()) allowed.add(item.asString().strip().toLowerCase(Locale.ROOT));
                });
            }
        }
        Optional<URI> endpoint = Optional.empty();
        JsonNode value = section.path("otlp_endpoint");
        if (value.isString() && !value.asString().isBlank()) {
            endpoint = endpoint(value.asString().strip(), allowed, locator, errors);
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new TelemetrySettings(endpoint, allowed);
    }

    private static Optional<URI> endpoint(String text, List<String> allowed, ConfigLocator locator, List<ConfigError> errors) {
        String key = "telemetry.otlp_endpoint";
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            errors.add(locator.error(key, "expected an http:// or https:// URL such as http://127.0.0.1:4318, got "
                    + quoted(text)));
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            errors.add(locator.error(key, "expected an http:// or https:// URL with a host, such as http://127.0.0.1:4318, got "
                    + quoted(text)));
            return Optional.empty();
        }
        if (uri.getRawUserInfo() != null) {
            // not echoed: it holds a password
            errors.add(locator.error(key, "expected a URL without a user name or password in it (not shown); "
                    + "a collector that needs a key is not supported yet"));
            return Optional.empty();
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            errors.add(locator.error(key, "expected a URL without ?query or #fragment, got " + quoted(text)));
            return Optional.empty();
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        if (!isLoopback(host) && !allowed.contains(host) && !allowed.contains(host + ":" + port)) {
            errors.add(locator.error(key, "sends traces to " + host + ":" + port + ", which is not on "
                    + "telemetry.allowed_destinations; add \"" + host + ":" + port + "\" there in your own config file, "
                    + "or use a collector on 127.0.0.1"));
            return Optional.empty();
        }
        return Optional.of(uri);
    }

    static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1") || h.matches("127(\\.\\d{1,3}){3}");
    }

    private static String quoted(String text) {
        if (RawSecrets.looksLikeKey(text)) return "a value that looks like a key (not shown)";
        return "\"" + (text.length() > 80 ? text.substring(0, 80) + "…" : text) + "\"";
    }
}
