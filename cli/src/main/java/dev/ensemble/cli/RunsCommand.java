package dev.ensemble.cli;

import dev.ensemble.engine.report.ReportWriter;
import dev.ensemble.engine.report.RunReport;
import dev.ensemble.engine.run.RunKind;
import dev.ensemble.engine.run.RunStatus;
import dev.ensemble.engine.run.RunStore;
import dev.ensemble.llm.http.HttpTransport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "runs", mixinStandardHelpOptions = true,
        description = {"List this repository's runs (`go` and `exec`), newest first.",
                "Each run's status from the store (planning, not started, running, done, failed) and, once it ended, "
                        + "its report's figures from .ensemble/reports/. A go run still planning or running after its "
                        + "`ensemble go` stopped was interrupted: `ensemble resume <run>` finishes it; one not started has a "
                        + "saved plan waiting for approval (`ensemble resume <run> --yes`)."})
final class RunsCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--json", description = "Print the list as JSON.")
    boolean json;

    /** One run as the list shows it: what the store knows, and the report when there is one. */
    record Row(String runId, Instant startedAt, String request, Optional<RunStore.RunInfo> info, Optional<RunReport> report) {
        RunKind kind() {
            return info.map(RunStore.RunInfo::kind).orElse(RunKind.GO);
        }

        String statusText() {
            if (info.isEmpty()) return report.map(r -> r.passed() == r.tasks().size() ? "done" : "failed").orElse("unknown");
            RunStore.RunInfo i = info.get();
            // A plan saved but nothing dispatched: not approved yet (or killed before the first task).
            if (i.status() == RunStatus.RUNNING && i.kind() == RunKind.GO && i.tasks() > 0 && i.dispatched() == 0) return "not started";
            return i.status().key();
        }

        /** A go run that did not end: its process stopped (or is still working). */
        boolean unfinishedGo() {
            return info.isPresent() && !info.get().status().finished() && kind() == RunKind.GO;
        }
    }

    @Override
    public Integer call() {
        AppContext app = main.app();
        Terminal term = app.terminal();
        ReportWriter reports = ReportWriter.forRepository(app.repoRoot());
        List<Row> rows = rows(new RunStore(app.storeForReading()).list(), reports.list());
        if (json) {
            ArrayNode list = HttpTransport.JSON.createArrayNode();
            for (Row r : rows) {
                ObjectNode o = list.addObject().put("run_id", r.runId()).put("kind", r.kind().key())
                        .put("started_at", r.startedAt().toString()).put("request", r.request()).put("status", r.statusText());
                r.report().ifPresent(rep -> o.put("tasks", rep.tasks().size()).put("passed", rep.passed()).put("failed", rep.failed())
                        .put("skipped", rep.skipped()).put("cost_usd", rep.costUsd()));
            }
            term.printJson(list);
            return ExitCodes.OK;
        }
        if (rows.isEmpty()) {
            term.out().println("No runs yet (no reports in " + app.repoRoot().relativize(reports.folder()) + ").");
            return ExitCodes.OK;
        }
        Table table = new Table("RUN", "KIND", "DATE", "STATUS", "PASSED", "FAILED", "SKIPPED", "COST", "REQUEST").alignRight(4, 5, 6, 7);
        for (Row r : rows) {
            table.row(r.runId(), r.kind().key(), r.startedAt().toString().replace('T', ' ').replaceFirst("\\.\\d+Z$|Z$", "Z"),
                    r.statusText(), r.report().map(rep -> (Object) rep.passed()).orElse("-"),
                    r.report().map(rep -> (Object) rep.failed()).orElse("-"), r.report().map(rep -> (Object) rep.skipped()).orElse("-"),
                    r.report().map(rep -> Format.usd(rep.costUsd())).orElse("-"), oneLine(r.request()));
        }
        term.out().print(table.render());
        rows.stream().filter(Row::unfinishedGo).filter(r -> !r.statusText().equals("not started")).findFirst()
                .ifPresent(r -> term.err().println(term.dim("A run still " + r.statusText()
                        + " whose `ensemble go` has stopped was interrupted: `ensemble resume " + r.runId() + "` finishes it.")));
        rows.stream().filter(r -> r.statusText().equals("not started")).findFirst()
                .ifPresent(r -> term.err().println(term.dim("A run not started has its plan saved: `ensemble resume " + r.runId()
                        + " --yes` runs it.")));
        return ExitCodes.OK;
    }

    /** Store runs and reports joined by run id, newest first; a report without a store row (another store) still shows. */
    static List<Row> rows(List<RunStore.RunInfo> stored, List<RunReport> reports) {
        Map<String, RunReport> byId = new LinkedHashMap<>();
        for (RunReport r : reports) byId.put(r.runId(), r);
        List<Row> rows = new ArrayList<>();
        for (RunStore.RunInfo info : stored) {
            rows.add(new Row(info.runId(), info.createdAt(), info.request(), Optional.of(info), Optional.ofNullable(byId.remove(info.runId()))));
        }
        for (RunReport r : byId.values()) rows.add(new Row(r.runId(), r.startedAt(), r.request(), Optional.empty(), Optional.of(r)));
        rows.sort(Comparator.comparing(Row::startedAt).reversed().thenComparing(Row::runId));
        return rows;
    }

    private static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() > 60 ? line.substring(0, 59) + "…" : line;
    }
}
