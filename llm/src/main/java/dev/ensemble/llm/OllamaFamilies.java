package dev.ensemble.llm;

import dev.ensemble.core.Capability;
import dev.ensemble.core.TaskKind;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Capability scores for a pulled Ollama model that the catalog does not know, guessed from its
 * family: the scores of one reference model of that family (0–10 on the catalog's scale, and where
 * the built-in catalog has the very model, its scores), moved by one point per doubling of
 * parameters away from the reference size, at most two. Every score says it is a guess, from which
 * family and on what figure ({@link Capability#guessed()}), and a family missing from the table
 * gets a conservative default that says so.
 *
 * <p>The figures are the vendors' own published results for the reference model, as read on the
 * date given; a guess is a starting point that recorded outcomes then correct (see
 * {@code ensemble stats}), never a measurement of the model that was pulled.
 */
final class OllamaFamilies {
    /**
     * One row of the table.
     *
     * @param prefixes  model-name stems that belong to the family, longest match wins
     *                  ({@code qwen2.5-coder} before {@code qwen2.5})
     * @param family    the family recorded on the model (review and consensus look for a second vendor by it)
     * @param reference the model the scores are for, and its size in billions of parameters
     * @param basis     the published figure the scores lean on, with who published it and when
     */
    record Row(List<String> prefixes, String family, String reference, double referenceBillions,
               double planning, double coding, double review, double search, String basis) {}

    static final List<Row> TABLE = List.of(
            new Row(List.of("qwen3-coder"), "qwen", "Qwen3-Coder-30B-A3B", 30.5, 5.5, 6.1, 5.5, 3.0,
                    "SWE-bench Verified about 51.6% (Qwen, 2025-07); qwen3-coder:30b in the built-in catalog"),
            new Row(List.of("qwen2.5-coder", "qwen2-coder", "qwen-coder"), "qwen", "Qwen2.5-Coder-7B-Instruct", 7.6, 3.5, 3.5, 3.0, 1.5,
                    "HumanEval 88.4% (Qwen, 2024-09); qwen2.5-coder:7b in the built-in catalog"),
            new Row(List.of("qwen3"), "qwen", "Qwen3-8B", 8.2, 4.5, 3.5, 3.0, 2.0,
                    "estimate: a general Qwen3 model, placed between the catalog's qwen2.5-coder:7b and qwen3-coder:30b"),
            new Row(List.of("qwen2.5", "qwen2", "qwen", "qwq"), "qwen", "Qwen2.5-7B-Instruct", 7.6, 3.5, 3.0, 2.5, 1.5,
                    "HumanEval 84.8%, GPQA 36.4% (Qwen, 2024-09)"),
            new Row(List.of("codellama"), "llama", "Code Llama 7B Instruct", 7.0, 1.5, 1.5, 1.5, 0.5,
                    "HumanEval 34.8% (Meta, 2023-08)"),
            new Row(List.of("llama"), "llama", "Llama 3.1 8B Instruct", 8.0, 3.0, 2.5, 2.5, 2.0,
                    "GPQA 30.4%, HumanEval 72.6% (Meta, 2024-07); llama3.1:8b in the built-in catalog"),
            new Row(List.of("devstral"), "mistral", "Devstral Small", 23.6, 4.5, 5.5, 4.5, 2.0,
                    "SWE-bench Verified 46.8% (Mistral AI, 2025-05)"),
            new Row(List.of("codestral"), "mistral", "Codestral 22B", 22.2, 3.0, 4.0, 3.5, 1.0,
                    "HumanEval 81.1% (Mistral AI, 2024-05)"),
            new Row(List.of("mistral", "mixtral", "ministral"), "mistral", "Mistral 7B", 7.2, 2.0, 1.5, 1.5, 1.5,
                    "HumanEval 30.5% (Mistral AI, Mistral 7B paper, 2023-10)"),
            new Row(List.of("deepseek-coder-v2"), "deepseek", "DeepSeek-Coder-V2-Lite-Instruct", 15.7, 3.5, 3.5, 3.0, 1.5,
                    "HumanEval 81.1%, LiveCodeBench 24.3% (DeepSeek, 2024-06); deepseek-coder-v2:16b in the built-in catalog"),
            new Row(List.of("deepseek-r1"), "deepseek", "DeepSeek-R1-Distill-Qwen-7B", 7.6, 5.0, 3.5, 3.0, 1.5,
                    "GPQA Diamond 49.1%, LiveCodeBench 37.6% (DeepSeek, 2025-01)"),
            new Row(List.of("deepseek-coder", "deepseek"), "deepseek", "DeepSeek-Coder-6.7B-Instruct", 6.7, 2.0, 3.0, 2.5, 1.0,
                    "HumanEval 78.6% (DeepSeek, 2024-01)"),
            new Row(List.of("gemma", "codegemma"), "gemma", "Gemma 3 12B IT", 12.2, 4.0, 3.0, 2.5, 1.5,
                    "HumanEval 85.4%, GPQA Diamond 40.9% (Google, Gemma 3 technical report, 2025-03)"),
            new Row(List.of("phi"), "phi", "Phi-4", 14.7, 5.0, 3.0, 2.5, 1.5,
                    "GPQA 56.1%, HumanEval 82.6% (Microsoft, phi-4 technical report, 2024-12)"),
            new Row(List.of("gpt-oss"), "gpt-oss", "gpt-oss-20b", 20.9, 7.2, 7.1, 5.5, 4.0,
                    "SWE-bench Verified 60.7%, GPQA Diamond 71.5% (OpenAI, 2025-08); gpt-oss:20b in the built-in catalog"));

    /** For a family not in the table: below nearly every known model, so a known one is preferred, yet not never tried. */
    static final double[] UNKNOWN = {1.5, 1.0, 1.0, 0.5};

    private static final Pattern BILLIONS = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([bBmM])");

    private OllamaFamilies() {}

    /** What was guessed for one model: its family, scores, and whether the family was in the table. */
    record Guess(String family, Map<TaskKind, Capability> capabilities, boolean known, double billions) {}

    /**
     * @param name          the model as Ollama names it ({@code mistral:7b}, {@code hf.co/org/Some-Model-GGUF:Q4_K_M})
     * @param ollamaFamily  {@code details.family} from Ollama, "" when unknown
     * @param parameterSize {@code details.parameter_size}, e.g. "7.2B", "" when unknown
     */
    static Guess guess(String name, String ollamaFamily, String parameterSize) {
        double billions = billions(parameterSize).or(() -> billions(tag(name))).orElse(Double.NaN);
        Optional<Row> row = match(stem(name)).or(() -> match(ollamaFamily.toLowerCase(Locale.ROOT)));
        Map<TaskKind, Capability> capabilities = new EnumMap<>(TaskKind.class);
        if (row.isEmpty()) {
            String family = !ollamaFamily.isBlank() ? ollamaFamily.toLowerCase(Locale.ROOT) : familyFromStem(stem(name));
            String text = Capability.GUESSED + "(family " + family + " is not in ensemble's table: a conservative default)";
            TaskKind[] kinds = TaskKind.values();
            for (int i = 0; i < kinds.length; i++) capabilities.put(kinds[i], new Capability(UNKNOWN[i], text));
            return new Guess(family, capabilities, false, billions);
        }
        Row r = row.get();
        double shift = Double.isNaN(billions) ? 0 : Math.max(-2, Math.min(2, Math.log(billions / r.referenceBillions()) / Math.log(2)));
        String size = Double.isNaN(billions) ? "size unknown, no adjustment"
                : String.format(Locale.ROOT, "%s parameters against %s: %+.1f", billionsText(billions), billionsText(r.referenceBillions()), shift);
        String text = Capability.GUESSED + "from family " + r.family() + ": " + r.reference() + ", " + r.basis() + "; " + size;
        double[] base = {r.planning(), r.coding(), r.review(), r.search()};
        TaskKind[] kinds = TaskKind.values();
        for (int i = 0; i < kinds.length; i++) {
            double score = Math.round(Math.max(0.5, Math.min(9.0, base[i] + shift)) * 10) / 10.0;
            capabilities.put(kinds[i], new Capability(score, text));
        }
        return new Guess(r.family(), capabilities, true, billions);
    }

    /**
     * A rough output speed for a 4-bit quantisation on one consumer GPU, as the catalog's local
     * models assume: what the router weighs time by, until recorded latencies say otherwise.
     */
    static double tokensPerSecond(double billions) {
        if (Double.isNaN(billions)) return 60;
        if (billions <= 4) return 150;
        if (billions <= 9) return 120;
        if (billions <= 16) return 70;
        if (billions <= 36) return 35;
        return 15;
    }

    private static Optional<Row> match(String stem) {
        if (stem.isBlank()) return Optional.empty();
        Row best = null;
        int bestLength = 0;
        for (Row row : TABLE) {
            for (String prefix : row.prefixes()) {
                if (stem.startsWith(prefix) && prefix.length() > bestLength) {
                    best = row;
                    bestLength = prefix.length();
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code hf.co/bartowski/Qwen2.5-Coder-7B-GGUF:Q4_K_M} → {@code qwen2.5-coder-7b-gguf}. */
    static String stem(String name) {
        String s = name.contains(":") ? name.substring(0, name.lastIndexOf(':')) : name;
        s = s.substring(s.lastIndexOf('/') + 1);
        return s.toLowerCase(Locale.ROOT);
    }

    private static String tag(String name) {
        return name.contains(":") ? name.substring(name.lastIndexOf(':') + 1) : stem(name);
    }

    private static String familyFromStem(String stem) {
        Matcher m = Pattern.compile("^[a-z]+").matcher(stem);
        return m.find() ? m.group() : stem.isBlank() ? "unknown" : stem;
    }

    private static Optional<Double> billions(String text) {
        if (text == null || text.isBlank()) return Optional.empty();
        Matcher m = BILLIONS.matcher(text);
        if (!m.find()) return Optional.empty();
        double value = Double.parseDouble(m.group(1));
        double b = m.group(2).equalsIgnoreCase("m") ? value / 1000 : value;
        return b > 0 ? Optional.of(b) : Optional.empty();
    }

    private static String billionsText(double billions) {
        return billions < 1 ? String.format(Locale.ROOT, "%.0fM", billions * 1000) : String.format(Locale.ROOT, "%.1fB", billions);
    }
}
