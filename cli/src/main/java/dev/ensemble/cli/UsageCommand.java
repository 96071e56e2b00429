package dev.ensemble.cli;

import dev.ensemble.engine.store.Since;
import dev.ensemble.engine.store.UsageGrouping;
import dev.ensemble.engine.store.UsageQuery;
import dev.ensemble.engine.store.UsageRow;
import dev.ensemble.gateway.keys.KeyStore;
import dev.ensemble.gateway.keys.KeyStoreException;
import dev.ensemble.llm.http.HttpTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "usage", mixinStandardHelpOptions = true,
        description = {"Show what the models cost, from the ledger.",
                "Calls, failures, tokens, USD and latency, from the ledger of every model call."})
final class UsageCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--since", paramLabel = "WHEN", description = "Only calls since: 30m, 24h, 7d, a date (2026-11-01) or an instant.")
    String since;

    @Option(names = "--by", paramLabel = "G", defaultValue = "model",
            description = "Group by model, day, role, provider, command, key (the gateway key a call came with) or wire "
                    + "(the wire the gateway's client spoke) (default: ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        AppContext app = main.app();
        Terminal term = app.terminal();
        UsageGrouping grouping;
        try {
            grouping = UsageGrouping.valueOf(by.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--by must be one of model, day, role, provider, command, key, wire (got '" + by + "')");
        }
        Optional<Instant> from;
        try {
            from = since == null ? Optional.empty() : Optional.of(Since.parse(since, Clock.systemUTC()));
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--since: " + e.getMessage());
        }
        List<UsageRow> rows = app.ledgerForReading().summarize(new UsageQuery(from, grouping));
        Map<String, String> keyNames = grouping == UsageGrouping.KEY ? keyNames(app) : Map.of();
        if (json) {
            ObjectNode root = HttpTransport.JSON.createObjectNode();
            root.put("by", grouping.name().toLowerCase(Locale.ROOT));
            from.ifPresent(f -> root.put("since", f.toString()));
            ArrayNode array = root.putArray("rows");
            for (UsageRow r : rows) {
                ObjectNode row = array.addObject().put("key", r.key());
                if (keyNames.containsKey(r.key())) row.put("key_name", keyNames.get(r.key()));
                row.put("calls", r.calls()).put("failures", r.failures())
                        .put("input_tokens", r.inputTokens()).put("output_tokens", r.outputTokens())
                        .put("cached_input_tokens", r.cachedInputTokens()).put("cost_usd", r.costUsd())
                        .put("mean_latency_ms", r.meanLatencyMs()).put("mean_time_to_first_token_ms", r.meanTimeToFirstTokenMs());
            }
            term.printJson(root);
            return ExitCodes.OK;
        }
        if (rows.isEmpty()) {
            term.out().println("No model calls recorded" + (since == null ? "" : " since " + since) + " in " + app.storeForReading().description() + ".");
            return ExitCodes.OK;
        }
        Table table = new Table(grouping.name().toLowerCase(Locale.ROOT), "calls", "failed", "input", "cached", "output", "cost", "mean latency", "mean ttft")
                .alignRight(1, 2, 3, 4, 5, 6, 7, 8);
        long calls = 0, failures = 0, in = 0, cached = 0, out = 0;
        double cost = 0;
        for (UsageRow r : rows) {
            table.row(label(grouping, r.key(), keyNames), r.calls(), r.failures(), Format.tokens(r.inputTokens()), Format.tokens(r.cachedInputTokens()),
                    Format.tokens(r.outputTokens()), Format.usd(r.costUsd()), Format.millis(r.meanLatencyMs()),
                    // Only streamed calls have a time to first token; a group without any shows none.
                    r.meanTimeToFirstTokenMs() > 0 ? Format.millis(r.meanTimeToFirstTokenMs()) : "-");
            calls += r.calls();
            failures += r.failures();
            in += r.inputTokens();
            cached += r.cachedInputTokens();
            out += r.outputTokens();
            cost += r.costUsd();
        }
        table.row(term.bold("total"), calls, failures, Format.tokens(in), Format.tokens(cached), Format.tokens(out), term.bold(Format.usd(cost)), "", "");
        term.out().print(table.render());
        return ExitCodes.OK;
    }

    /** A key's id with its name; "-" for calls that did not come through the gateway. */
    private static String label(UsageGrouping grouping, String key, Map<String, String> keyNames) {
        if (grouping != UsageGrouping.KEY && grouping != UsageGrouping.WIRE) return key;
        if (key.isEmpty()) return "- (not via the gateway)";
        String name = keyNames.get(key);
        return name == null ? key : key + " " + name;
    }

    /** The virtual keys' names by id, from the user's key file; none when there is none or it cannot be read. */
    private static Map<String, String> keyNames(AppContext app) {
        Path file = KeyStore.defaultFile(app.userDirs());
        if (!Files.exists(file)) return Map.of();
        Map<String, String> names = new HashMap<>();
        try (KeyStore store = KeyStore.open(file, app.clock())) {
            store.list().forEach(key -> names.put(key.id(), key.name()));
        } catch (KeyStoreException e) {
            app.terminal().err().println(app.terminal().dim("(key names left out: " + e.getMessage() + ")"));
        }
        return names;
    }
}
