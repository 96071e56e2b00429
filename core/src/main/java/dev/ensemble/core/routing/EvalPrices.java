package dev.ensemble.core.routing;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The price of each model column of an evaluation set, found in this order:
 * <ol>
 *   <li>what the caller gives ({@code --price COL=SPEC}): a catalog model id (the data's outcomes
 *       priced as if that model had served them) or {@code IN/OUT} in USD per million tokens;</li>
 *   <li>a catalog model whose id or wire name equals the column name;</li>
 *   <li>{@code eval-prices.yaml} beside this class: published prices of models that appear in
 *       public routing data but not in the catalog (e.g. gpt-4-1106-preview), each with its source.</li>
 * </ol>
 * Legacy models are kept out of the catalog on purpose: the catalog is what ensemble may call, and
 * these models are only needed to price old outcomes.
 */
public final class EvalPrices {
    private static final Pattern EXPLICIT = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*[/:]\\s*([0-9]+(?:\\.[0-9]+)?)\\s*");

    /** A column's price and where it came from, for the report. */
    public record Priced(Pricing pricing, String origin) {
        public Priced {
            Objects.requireNonNull(pricing, "pricing");
            Objects.requireNonNull(origin, "origin");
        }
    }

    private EvalPrices() {}

    /** @throws IllegalArgumentException when no price can be found, saying how to give one */
    public static Priced resolve(String column, String spec, Collection<ModelSpec> catalog) {
        if (spec != null) {
            Matcher m = EXPLICIT.matcher(spec);
            if (m.matches()) {
                double in = Double.parseDouble(m.group(1));
                double out = Double.parseDouble(m.group(2));
                return new Priced(new Pricing(in, out, in, "given on the command line", LocalDate.now()),
                        String.format(Locale.ROOT, "given: $%s in / $%s out per Mtok", m.group(1), m.group(2)));
            }
            for (ModelSpec model : catalog) {
                if (model.id().equals(spec)) return new Priced(model.pricing(), "catalog model " + model.id() + " (" + model.pricing().source() + ")");
            }
            throw new IllegalArgumentException("price for " + column + ": '" + spec + "' is neither a catalog model id nor IN/OUT USD per Mtok");
        }
        for (ModelSpec model : catalog) {
            if (model.id().equals(column) || model.wireName().equals(column)) {
                return new Priced(model.pricing(), "catalog model " + model.id() + " (" + model.pricing().source() + ")");
            }
        }
        Pricing legacy = legacy().get(column);
        if (legacy != null) return new Priced(legacy, "eval price list: " + legacy.source() + ", as of " + legacy.asOf());
        throw new IllegalArgumentException("no price for column '" + column + "': give one with --price '" + column
                + "=MODEL' (a catalog model id) or --price '" + column + "=IN/OUT' (USD per million tokens)");
    }

    private static final class Holder {
        static final Map<String, Pricing> LEGACY = load();

        private static Map<String, Pricing> load() {
            try (InputStream in = EvalPrices.class.getResourceAsStream("eval-prices.yaml")) {
                if (in == null) throw new IllegalStateException("missing resource eval-prices.yaml");
                JsonNode root = YAMLMapper.builder().build().readTree(in);
                Map<String, Pricing> prices = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : root.properties()) {
                    JsonNode p = e.getValue();
                    prices.put(e.getKey(), new Pricing(p.path("input").asDouble(), p.path("output").asDouble(), p.path("input").asDouble(),
                            p.path("source").asString(), LocalDate.parse(p.path("as_of").asString())));
                }
                return Map.copyOf(prices);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The shipped price list for models outside the catalog. */
    public static Map<String, Pricing> legacy() {
        return Holder.LEGACY;
    }
}
