package dev.ensemble.core.routing;

import dev.ensemble.core.Pricing;
import java.util.List;
import java.util.OptionalDouble;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@link RouteEval} measured on the test half. {@code routers.get(0)} is the headline router.
 *
 * @param strongOnly      every test prompt to the strong model (strongShare 1)
 * @param weakOnly        every test prompt to the weak model (strongShare 0)
 * @param targetQuality   95% of strong-only quality
 * @param randomCostAtTarget expected cost of random routing at the target quality
 */
public record EvalReport(String strong, String weak, Pricing strongPrice, Pricing weakPrice, long seed, long outputTokens,
                         String tokenizer, int prompts, int excluded, int trainSize, int testSize,
                         CurvePoint strongOnly, CurvePoint weakOnly, double targetQuality, OptionalDouble randomCostAtTarget,
                         List<RouterCurve> routers) {
    public EvalReport {
        routers = List.copyOf(routers);
    }

    public RouterCurve headline() {
        return routers.getFirst();
    }

    public OptionalDouble randomSaving() {
        return randomCostAtTarget.isPresent() ? OptionalDouble.of(1 - randomCostAtTarget.getAsDouble() / strongOnly.costUsd()) : OptionalDouble.empty();
    }

    /** The report as JSON: settings, baselines, each router's saving at the target and its curve sampled to {@code points}. */
    public ObjectNode toJson(int points) {
        ObjectNode root = JsonMapper.builder().build().createObjectNode();
        root.put("strong", strong).put("weak", weak);
        root.putObject("prices_per_mtok")
                .<ObjectNode>set("strong", price(root, strongPrice))
                .set("weak", price(root, weakPrice));
        root.put("seed", seed).put("output_tokens_assumed", outputTokens).put("tokenizer", tokenizer);
        root.put("prompts", prompts).put("excluded_contaminated", excluded).put("train", trainSize).put("test", testSize);
        point(root.putObject("strong_only"), strongOnly);
        point(root.putObject("weak_only"), weakOnly);
        root.put("target_quality", targetQuality);
        ObjectNode random = root.putObject("random");
        randomCostAtTarget.ifPresent(c -> random.put("cost_usd_at_target", c));
        randomSaving().ifPresent(s -> random.put("saving_at_target", s));
        ArrayNode array = root.putArray("routers");
        for (RouterCurve r : routers) {
            ObjectNode node = array.addObject().put("name", r.name()).put("description", r.description());
            r.savingAtTarget().ifPresent(s -> node.put("saving_at_target", s));
            r.strongShareAtTarget().ifPresent(s -> node.put("strong_share_at_target", s));
            r.costAtTarget().ifPresent(c -> node.put("cost_usd_at_target", c));
            ArrayNode curve = node.putArray("curve");
            for (CurvePoint p : r.sample(points)) point(curve.addObject(), p);
        }
        return root;
    }

    private static ObjectNode price(ObjectNode factory, Pricing p) {
        return factory.objectNode().put("input", p.inputPerMtok()).put("output", p.outputPerMtok()).put("source", p.source());
    }

    private static void point(ObjectNode node, CurvePoint p) {
        node.put("strong_share", p.strongShare()).put("cost_usd", p.costUsd()).put("quality", p.quality());
    }
}
