package dev.ensemble.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ensemble.core.Pricing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteEvalTest {
    private static final Pricing STRONG = new Pricing(10, 30, 10, "test", LocalDate.of(2026, 1, 1));
    private static final Pricing WEAK = new Pricing(0.5, 0.5, 0.5, "test", LocalDate.of(2026, 1, 1));
    private static final String[] WORDS = {"alpha", "beta", "gamma", "delta", "omega", "river", "stone", "cloud", "lamp", "tiger",
            "paper", "copper", "violet", "orbit", "meadow", "harbor", "signal", "amber", "falcon", "cedar"};

    /**
     * 400 prompts in two files; the strong model is always right, the weak one exactly on the 90%
     * of prompts that contain "trivially". Weak-only quality is 0.90, so reaching 95% of strong-only
     * needs only half the other prompts upgraded: an ideal router saves about 0.95 × (1 − 0.05).
     */
    private static void writeSynthetic(Path dir) throws IOException {
        Random random = new Random(7);
        List<StringBuilder> files = List.of(new StringBuilder(), new StringBuilder());
        for (StringBuilder f : files) f.append("prompt,notes,strong,weak\r\n");
        for (int i = 0; i < 400; i++) {
            boolean easy = i % 10 != 0;
            StringBuilder p = new StringBuilder("Question ").append(i).append(": ");
            for (int w = 0; w < 12; w++) p.append(WORDS[random.nextInt(WORDS.length)]).append(w % 4 == 3 ? ", " : " ");
            if (easy) p.append("trivially ");
            p.append("\nA. \"yes\", B. no\nAnswer:");
            files.get(i % 2).append('"').append(p.toString().replace("\"", "\"\"")).append('"')
                    .append(",\"free text, ignored\",True,").append(easy ? "True" : "False").append("\r\n");
        }
        Files.writeString(dir.resolve("part_a.csv"), files.get(0));
        Files.writeString(dir.resolve("part_b.csv"), files.get(1));
        Files.writeString(dir.resolve("README.md"), "not a csv");
    }

    private static RouteEval.Options options(long seed) {
        return new RouteEval.Options("strong", "weak", STRONG, WEAK, seed, 10, RouteEval.CHARS_OVER_4, "chars/4");
    }

    @Test
    void loadsEveryCsvFindsTheModelColumnsAndIgnoresTheRest(@TempDir Path dir) throws IOException {
        writeSynthetic(dir);
        EvalData data = EvalData.load(dir);
        assertThat(data.files()).containsExactly("part_a.csv", "part_b.csv");
        assertThat(data.models()).containsExactly("strong", "weak");
        assertThat(data.prompts()).hasSize(400);
        assertThat(data.prompts().getFirst().prompt()).startsWith("Question 0: ").contains("\nA. \"yes\", B. no\nAnswer:");
        assertThat(data.prompts().getFirst().source()).isEqualTo("part_a");
        assertThat(RouteEval.defaultStrongWeak(data)).containsExactly("strong", "weak");
    }

    @Test
    void leavesOutContaminatedPrompts(@TempDir Path dir) throws IOException {
        writeSynthetic(dir);
        String first = EvalData.load(dir).prompts().getFirst().prompt();
        String json = tools.jackson.databind.json.JsonMapper.builder().build().createObjectNode()
                .put("train_prompt", "something else").put("eval_prompt", first).toString();
        Files.writeString(dir.resolve(EvalData.CONTAMINATED), json + "\n");
        EvalData data = EvalData.load(dir);
        assertThat(data.excluded()).isEqualTo(1);
        assertThat(data.prompts()).hasSize(399).noneMatch(p -> p.prompt().equals(first));
    }

    @Test
    void theRouterFindsMostOfANearlyFreeRouting(@TempDir Path dir) throws IOException {
        writeSynthetic(dir);
        EvalReport report = RouteEval.run(EvalData.load(dir), options(42));
        assertThat(report.trainSize()).isEqualTo(200);
        assertThat(report.testSize()).isEqualTo(200);
        assertThat(report.strongOnly().quality()).isEqualTo(1.0);
        assertThat(report.weakOnly().quality()).isCloseTo(0.9, within(0.05));
        assertThat(report.targetQuality()).isCloseTo(0.95, within(1e-12));

        double weakRatio = report.weakOnly().costUsd() / report.strongOnly().costUsd();
        double needed = (report.targetQuality() - report.weakOnly().quality()) / (1 - report.weakOnly().quality());
        double hardShare = 1 - report.weakOnly().quality();
        double ideal = 1 - (needed * hardShare + (1 - needed * hardShare) * weakRatio);  // upgrade just enough hard prompts
        double saving = report.headline().savingAtTarget().orElseThrow();
        assertThat(saving).isGreaterThan(0.9 * ideal).isGreaterThan(0.8);
        assertThat(saving).isGreaterThan(report.randomSaving().orElseThrow() + 0.3);
        assertThat(report.headline().strongShareAtTarget().orElseThrow()).isLessThan(0.15);

        List<CurvePoint> curve = report.headline().curve();
        assertThat(curve).hasSize(201);
        assertThat(curve.getFirst()).isEqualTo(new CurvePoint(0, report.weakOnly().costUsd(), report.weakOnly().quality()));
        assertThat(curve.getLast().costUsd()).isCloseTo(report.strongOnly().costUsd(), within(1e-9));
        assertThat(curve.getLast().quality()).isEqualTo(1.0);
        assertThat(curve).isSortedAccordingTo((a, b) -> Double.compare(a.costUsd(), b.costUsd()));
        assertThat(report.headline().sample(11)).hasSize(11).first().isEqualTo(curve.getFirst());
    }

    @Test
    void theSameSeedGivesTheSameReportAndAnotherSeedAnotherSplit(@TempDir Path dir) throws IOException {
        writeSynthetic(dir);
        EvalData data = EvalData.load(dir);
        EvalReport a = RouteEval.run(data, options(3));
        EvalReport b = RouteEval.run(data, options(3));
        assertThat(a.routers()).isEqualTo(b.routers());
        assertThat(a.toJson(11)).isEqualTo(b.toJson(11));
        EvalReport c = RouteEval.run(data, options(4));
        assertThat(c.headline().curve()).isNotEqualTo(a.headline().curve());
    }

    @Test
    void theJsonReportCarriesBaselinesAndEachRoutersSaving(@TempDir Path dir) throws IOException {
        writeSynthetic(dir);
        var json = RouteEval.run(EvalData.load(dir), options(1)).toJson(5);
        assertThat(json.path("strong").asString()).isEqualTo("strong");
        assertThat(json.path("test").asInt()).isEqualTo(200);
        assertThat(json.path("routers")).hasSize(4);
        assertThat(json.path("routers").get(0).path("curve")).hasSize(5);
        assertThat(json.path("routers").get(0).path("saving_at_target").isNumber()).isTrue();
        assertThat(json.path("random").path("saving_at_target").isNumber()).isTrue();
    }

    @Test
    void explainsBadFolders(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> EvalData.load(dir)).hasMessageContaining("no .csv files");
        Files.writeString(dir.resolve("a.csv"), "question,m1,m2\nq,True,False\n");
        assertThatThrownBy(() -> EvalData.load(dir)).hasMessageContaining("no 'prompt' column");
        Files.writeString(dir.resolve("a.csv"), "prompt,m1,notes\nq,True,maybe\n");
        assertThatThrownBy(() -> EvalData.load(dir)).hasMessageContaining("at least two True/False model columns");
        Files.writeString(dir.resolve("a.csv"), "prompt,m1,m2\nq,True,False\nr,True\n");
        assertThatThrownBy(() -> EvalData.load(dir)).hasMessageContaining("a.csv: record 3 has 2 fields");
        Files.writeString(dir.resolve("a.csv"), "prompt,m1,m2\nq,True,False\nr,False,TRUE\ns,true,false\nt,True,True\n");
        EvalData ok = EvalData.load(dir);
        assertThatThrownBy(() -> RouteEval.run(ok, new RouteEval.Options("m1", "m3", STRONG, WEAK, 1, 10, RouteEval.CHARS_OVER_4, "c")))
                .hasMessageContaining("no model column 'm3'");
    }
}
