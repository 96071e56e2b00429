package dev.ensemble.cli;

import dev.ensemble.core.config.Durations;
import dev.ensemble.engine.orchestrate.Orchestrator;
import dev.ensemble.engine.run.RunStore;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "resume", mixinStandardHelpOptions = true,
        description = {"Finish a run that was interrupted (a crash, kill -9, a closed terminal): accepted tasks are kept,",
                "interrupted ones run again, the rest go on; then the report is written. Exit codes as for `go`."})
final class ResumeCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "RUN", description = "The run id (see `ensemble runs`).")
    String runId;

    @Option(names = "--timeout", paramLabel = "D", defaultValue = "20m", description = "Time limit per task attempt (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        AppContext app = main.app();
        Duration limit;
        try {
            limit = Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--timeout: " + e.getMessage());
        }
        RunStore runs = new RunStore(app.store());
        if (!runs.exists(runId)) throw new UserInputException("no run '" + runId + "' in " + app.store().description());
        Orchestrator.Outcome outcome;
        try {
            outcome = GoCommand.orchestrator(app, limit, null, null, null, null).resume(runId);
        } catch (IllegalStateException e) {
            throw new UserInputException(e.getMessage());
        }
        return GoCommand.finish(app, outcome, json);
    }
}
