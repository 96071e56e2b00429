package dev.ensemble.cli;

import dev.ensemble.engine.report.ReportWriter;
import dev.ensemble.engine.report.RunReport;
import dev.ensemble.llm.http.HttpTransport;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;

@Command(name = "runs", mixinStandardHelpOptions = true,
        description = {"List the runs of this repository, newest first, from their reports in .ensemble/reports/."})
final class RunsCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--json", description = "Print the list as JSON.")
    boolean json;

    @Override
    public Integer call() {
        AppContext app = main.app();
        Terminal term = app.terminal();
        ReportWriter reports = ReportWriter.forRepository(app.repoRoot());
        List<RunReport> runs = reports.list();
        if (json) {
            ArrayNode list = HttpTransport.JSON.createArrayNode();
            for (RunReport r : runs) {
                list.addObject().put("run_id", r.runId()).put("started_at", r.startedAt().toString()).put("request", r.request())
                        .put("tasks", r.tasks().size()).put("passed", r.passed()).put("failed", r.failed()).put("cost_usd", r.costUsd());
            }
            term.out().println(HttpTransport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(list));
            return ExitCodes.OK;
        }
        if (runs.isEmpty()) {
            term.out().println("No runs yet (no reports in " + app.repoRoot().relativize(reports.folder()) + ").");
            return ExitCodes.OK;
        }
        Table table = new Table("RUN", "DATE", "PASSED", "FAILED", "COST", "REQUEST").alignRight(2, 3, 4);
        for (RunReport r : runs) {
            table.row(r.runId(), r.startedAt().toString().replace('T', ' ').replaceFirst("\\.\\d+Z$|Z$", "Z"), r.passed(), r.failed(),
                    Format.usd(r.costUsd()), oneLine(r.request()));
        }
        term.out().print(table.render());
        return ExitCodes.OK;
    }

    private static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() > 60 ? line.substring(0, 59) + "…" : line;
    }
}
