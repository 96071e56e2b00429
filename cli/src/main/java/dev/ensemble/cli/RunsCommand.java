package dev.ensemble.cli;

import dev.ensemble.engine.report.ReportWriter;
import dev.ensemble.engine.report.RunReport;
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
        description = {"List this repository's runs, newest first.",
                "Each run's status from the store (planning, running, done, failed) and, once it ended, its report's "
                        + "figures from .ensemble/reports/. A run still planning or running after its `ensemble go` stopped "
                        + "was interrupted: `ensemble resume <run>` finishes it."})
final class RunsCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--json", description = "Print the list as JSON.")
    boolean json;

    /** One run as the list shows it: what the store knows, and the report when there is one. */
    private record Row(String runId, Instant startedAt, String request, Optional<RunStatus> status, Optional<RunReport> report) {
        String statusText() {
            return status.map(RunStatus::key).orElse(report.map(r -> r.failed() == 0 ? "done" : "failed").orElse("unknown"));
        }

        boolean interrupted() {
            return status.isPresent() && !status.get().finished();
        }
    }

    @Override
    public Integer call() {
        AppContext app = main.app();
        Terminal term = app.terminal();
        ReportWriter reports = ReportWriter.forRepository(app.repoRoot());
        List<Row> rows = rows(new RunStore(app.store()).list(), reports.list());
        if (json) {
            ArrayNode list = HttpTransport.JSON.createArrayNode();
            for (Row r : rows) {
                ObjectNode o = list.addObject().put("run_id", r.runId()).put("started_at", r.startedAt().toString())
                        .put("request", r.request()).put("status", r.statusText());
                r.report().ifPresent(rep -> o.put("tasks", rep.tasks().size()).put("passed", rep.passed()).put("failed", rep.failed())
                        .put("cost_usd", rep.costUsd()));
            }
            term.printJson(list);
            return ExitCodes.OK;
        }
        if (rows.isEmpty()) {
            term.out().println("No runs yet (no reports in " + app.repoRoot().relativize(reports.folder()) + ").");
            return ExitCodes.OK;
        }
        Table table = new Table("RUN", "DATE", "STATUS", "PASSED", "FAILED", "COST", "REQUEST").alignRight(3, 4, 5);
        for (Row r : rows) {
            table.row(r.runId(), r.startedAt().toString().replace('T', ' ').replaceFirst("\\.\\d+Z$|Z$", "Z"), r.statusText(),
                    r.report().map(rep -> (Object) rep.passed()).orElse("-"), r.report().map(rep -> (Object) rep.failed()).orElse("-"),
                    r.report().map(rep -> Format.usd(rep.costUsd())).orElse("-"), oneLine(r.request()));
        }
        term.out().print(table.render());
        rows.stream().filter(Row::interrupted).findFirst().ifPresent(r -> term.err().println(term.dim(
                "A run still " + r.statusText() + " whose `ensemble go` has stopped was interrupted: `ensemble resume " + r.runId()
                        + "` finishes it.")));
        return ExitCodes.OK;
    }

    /** Store runs and reports joined by run id, newest first; a report without a store row (another store) still shows. */
    private static List<Row> rows(List<RunStore.RunInfo> stored, List<RunReport> reports) {
        Map<String, RunReport> byId = new LinkedHashMap<>();
        for (RunReport r : reports) byId.put(r.runId(), r);
        List<Row> rows = new ArrayList<>();
        for (RunStore.RunInfo info : stored) {
            rows.add(new Row(info.runId(), info.createdAt(), info.request(), Optional.of(info.status()), Optional.ofNullable(byId.remove(info.runId()))));
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
