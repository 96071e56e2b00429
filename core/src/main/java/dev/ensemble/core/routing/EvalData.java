package dev.ensemble.core.routing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A folder of routing outcomes: every {@code *.csv} in it (not recursive, in name order) with a
 * {@code prompt} column and one True/False column per model; any other column is ignored. A model
 * column is one whose every value is {@code true} or {@code false} (any case) in every file.
 * Prompts listed in {@code contaminated_prompts.jsonl} beside the CSVs (any {@code eval_prompt} or
 * {@code prompt} field) are left out, since a router may have been trained on them.
 *
 * @param models   the model columns found, in header order
 * @param excluded how many rows were left out as contaminated
 */
public record EvalData(List<EvalPrompt> prompts, List<String> models, int excluded, List<String> files) {
    public static final String CONTAMINATED = "contaminated_prompts.jsonl";

    public EvalData {
        prompts = List.copyOf(prompts);
        models = List.copyOf(models);
        files = List.copyOf(files);
    }

    /** @throws IllegalArgumentException naming the file and what is wrong with it */
    public static EvalData load(Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + " is not a folder");
        List<Path> csvs;
        try (Stream<Path> list = Files.list(dir)) {
            csvs = list.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv") && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (csvs.isEmpty()) throw new IllegalArgumentException("no .csv files in " + dir);
        Set<String> contaminated = contaminated(dir.resolve(CONTAMINATED));

        record Table(Path file, List<String> header, List<List<String>> rows, Set<String> booleanColumns) {}
        List<Table> tables = new ArrayList<>();
        Set<String> models = null;
        for (Path file : csvs) {
            List<List<String>> records;
            try {
                records = CsvReader.parse(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file.getFileName() + ": " + e.getMessage(), e);
            }
            if (records.isEmpty()) continue;
            List<String> header = records.getFirst().stream().map(String::strip).toList();
            if (!header.contains("prompt")) throw new IllegalArgumentException(file.getFileName() + ": no 'prompt' column (columns: " + header + ")");
            List<List<String>> rows = records.subList(1, records.size()).stream().filter(r -> !(r.size() == 1 && r.getFirst().isEmpty())).toList();
            Set<String> booleans = new LinkedHashSet<>();
            for (int c = 0; c < header.size(); c++) {
                if (header.get(c).equals("prompt")) continue;
                final int col = c;
                if (!rows.isEmpty() && rows.stream().allMatch(r -> col < r.size() && isBoolean(r.get(col)))) booleans.add(header.get(c));
            }
            for (int r = 0; r < rows.size(); r++) {
                if (rows.get(r).size() != header.size()) {
                    throw new IllegalArgumentException(file.getFileName() + ": record " + (r + 2) + " has " + rows.get(r).size()
                            + " fields, the header has " + header.size());
                }
            }
            tables.add(new Table(file, header, rows, booleans));
            if (models == null) models = new LinkedHashSet<>(booleans);
            else models.retainAll(booleans);
        }
        if (models == null || models.size() < 2) {
            throw new IllegalArgumentException("need at least two True/False model columns common to every CSV in " + dir
                    + (models == null ? "" : " (found " + models + ")"));
        }
        List<EvalPrompt> prompts = new ArrayList<>();
        int excluded = 0;
        for (Table t : tables) {
            String source = t.file.getFileName().toString().replaceFirst("(?i)\\.csv$", "");
            int p = t.header.indexOf("prompt");
            for (List<String> row : t.rows) {
                if (contaminated.contains(row.get(p))) {
                    excluded++;
                    continue;
                }
                Map<String, Boolean> correct = new java.util.LinkedHashMap<>();
                for (String m : models) correct.put(m, Boolean.parseBoolean(row.get(t.header.indexOf(m)).strip()));
                prompts.add(new EvalPrompt(row.get(p), source, correct));
            }
        }
        return new EvalData(prompts, List.copyOf(models), excluded, csvs.stream().map(f -> f.getFileName().toString()).toList());
    }

    private static boolean isBoolean(String s) {
        String v = s.strip();
        return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false");
    }

    private static Set<String> contaminated(Path file) {
        Set<String> prompts = new HashSet<>();
        if (!Files.isRegularFile(file)) return prompts;
        JsonMapper json = JsonMapper.builder().build();
        try {
            int n = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                n++;
                if (line.isBlank()) continue;
                JsonNode node;
                try {
                    node = json.readTree(line);
                } catch (tools.jackson.core.JacksonException e) {
                    throw new IllegalArgumentException(file.getFileName() + ":" + n + ": not a JSON object");
                }
                for (String key : List.of("eval_prompt", "prompt")) {
                    if (node.path(key).isString()) prompts.add(node.path(key).asString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return prompts;
    }
}
