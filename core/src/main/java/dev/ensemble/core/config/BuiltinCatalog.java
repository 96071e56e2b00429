package dev.ensemble.core.config;

import dev.ensemble.core.Catalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The catalog shipped in the jar ({@code dev/ensemble/core/catalog.yaml}): providers, models with
 * prices and capability scores, and the built-in aliases. It is read by the same loader, in the
 * same shape, as the {@code providers:}, {@code models:} and {@code aliases:} sections of a user's
 * config, which is laid over it.
 */
public final class BuiltinCatalog {
    public static final String RESOURCE = "/dev/ensemble/core/catalog.yaml";
    /** How the built-in layer is named in {@link EnsembleConfig#sources()} and in errors. */
    public static final String SOURCE = "built-in catalog (" + RESOURCE.substring(1) + ")";

    private BuiltinCatalog() {
    }

    /** The built-in catalog alone, without user configuration or environment. */
    public static Catalog load() {
        return Holder.CATALOG;
    }

    /** The raw text of the resource, for {@code ensemble models --builtin} and the like. */
    public static String yaml() {
        return Holder.TEXT;
    }

    static Layer layer() {
        return Holder.LAYER;
    }

    private static final class Holder {
        static final String TEXT = readResource();
        static final Layer LAYER = YamlLayers.read(SOURCE, TEXT);
        static final Catalog CATALOG = build();

        private static Catalog build() {
            List<ConfigError> errors = new ArrayList<>(LAYER.problems());
            errors.addAll(SchemaCheck.instance().check(LAYER));
            Set<String> reported = new HashSet<>();
            errors.forEach(e -> reported.add(e.key()));
            Binder binder = new Binder(Merged.of(List.of(LAYER)), reported);
            EnsembleConfig config = binder.bind(List.of(SOURCE));
            errors.addAll(binder.errors());
            if (!errors.isEmpty()) {
                // a broken resource is a bug in this build, not a user error
                throw new IllegalStateException("the built-in catalog is invalid:\n" + new ConfigException(errors).getMessage());
            }
            return config.catalog();
        }

        private static String readResource() {
            try (InputStream in = BuiltinCatalog.class.getResourceAsStream(RESOURCE)) {
                if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
