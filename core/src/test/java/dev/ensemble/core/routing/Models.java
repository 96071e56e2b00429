package dev.ensemble.core.routing;

import dev.ensemble.core.Capability;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.TaskKind;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.Map;

/** Small hand-made catalog entries, so router tests do not move when the built-in catalog's prices do. */
final class Models {
    private Models() {}

    static ModelSpec cloud(String id, double coding, double inPerMtok, double outPerMtok, double tps) {
        return spec(id, coding, inPerMtok, outPerMtok, tps, false, 200_000, true);
    }

    static ModelSpec local(String id, double coding, int context) {
        return spec(id, coding, 0, 0, 50, true, context, true);
    }

    static ModelSpec spec(String id, double coding, double in, double out, double tps, boolean local, int context, boolean tools) {
        Map<TaskKind, Capability> caps = new EnumMap<>(TaskKind.class);
        for (TaskKind kind : TaskKind.values()) caps.put(kind, new Capability(coding, "test"));
        Pricing pricing = local ? Pricing.FREE : new Pricing(in, out, in / 10, "test", LocalDate.of(2026, 1, 1));
        return new ModelSpec(id, local ? "ollama" : "test", id, "test", pricing, context, 32_000, tps, local, tools, caps);
    }
}
