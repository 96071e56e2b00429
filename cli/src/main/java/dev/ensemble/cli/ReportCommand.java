package dev.ensemble.cli;

import dev.ensemble.engine.report.ReportWriter;
import dev.ensemble.engine.run.RunKind;
import dev.ensemble.engine.run.RunStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Print a run's report (`go` or `exec`).",
                "The request, the plan, each task with its agent, model, attempts, verdict, tokens and cost, the cost "
                        + "per model (planning included), the saving versus all-premium, and what failed and why. A run "
                        + "that has not ended has no report yet: it says where the run stands."})
final class ReportCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", arity = "0..1", paramLabel = "RUN", description = "The run id (see `ensemble runs`); omit with --last.")
    String run;

    @Option(names = "--last", description = "The newest run.")
    boolean last;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (last == (run != null)) throw new UserInputException("give a run id, or --last");
        AppContext app = main.app();
        ReportWriter reports = ReportWriter.forRepository(app.repoRoot());
        String id = run;
        if (last) {
            List<RunsCommand.Row> rows = RunsCommand.rows(new RunStore(app.storeForReading()).list(), reports.list());
            if (rows.isEmpty()) throw new UserInputException("no runs yet (see `ensemble runs`)");
            id = rows.getFirst().runId();
        }
        Path file;
        try {
            file = json ? reports.jsonPath(id) : reports.markdownPath(id);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        if (!Files.isRegularFile(file)) throw new UserInputException(noReport(app, reports, id));
        try {
            String text = Files.readString(file);
            app.terminal().out().print(text.endsWith("\n") ? text : text + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return ExitCodes.OK;
    }

    /** Why a run has no report: unknown, or where it stands and what finishes it. */
    private static String noReport(AppContext app, ReportWriter reports, String id) {
        Optional<RunStore.RunInfo> info = new RunStore(app.storeForReading()).list().stream().filter(r -> r.runId().equals(id)).findFirst();
        if (info.isEmpty()) {
            return "no report for run '" + id + "' in " + app.repoRoot().relativize(reports.folder()) + " (see `ensemble runs`)";
        }
        RunsCommand.Row row = new RunsCommand.Row(id, info.get().createdAt(), info.get().request(), info, Optional.empty());
        String status = row.statusText();
        String next = info.get().kind() == RunKind.EXEC
                ? (info.get().status().finished() ? "it stopped on an error before its report" : "it did not finish") + "; run the `exec` again"
                : info.get().status().finished() ? "it stopped before its report was written"
                : status.equals("not started") ? "its plan is saved: `ensemble resume " + id + " --yes` runs it"
                : "a report is written when the run ends: `ensemble resume " + id + "` finishes it";
        return "run " + id + " (" + info.get().kind().key() + ") is " + status + " and has no report: " + next;
    }
}
