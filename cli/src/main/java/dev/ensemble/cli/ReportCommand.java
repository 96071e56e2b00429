package dev.ensemble.cli;

import dev.ensemble.engine.report.ReportWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Print a run's report.",
                "The request, the plan, each task with its agent, model, attempts, verdict, tokens and cost, the cost "
                        + "per model, the saving versus all-premium, and what failed and why."})
final class ReportCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "RUN", description = "The run id (see `ensemble runs`).")
    String run;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        AppContext app = main.app();
        ReportWriter reports = ReportWriter.forRepository(app.repoRoot());
        Path file;
        try {
            file = json ? reports.jsonPath(run) : reports.markdownPath(run);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        if (!Files.isRegularFile(file)) {
            throw new UserInputException("no report for run '" + run + "' in " + app.repoRoot().relativize(reports.folder())
                    + " (see `ensemble runs`)");
        }
        try {
            String text = Files.readString(file);
            app.terminal().out().print(text.endsWith("\n") ? text : text + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return ExitCodes.OK;
    }
}
