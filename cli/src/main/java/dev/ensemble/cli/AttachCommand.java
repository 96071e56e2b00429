package dev.ensemble.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "attach", mixinStandardHelpOptions = true,
        description = {"Follow a daemon's run until it ends.",
                "Prints its events from its start (or from its latest resume) as they come.",
                "Exits with the run's own exit status (130 when it was cancelled)."})
final class AttachCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "RUN", description = "The run id (`ensemble runs`).")
    String runId;

    @Override
    public Integer call() {
        AppContext app = main.app();
        DaemonClient daemon = DaemonClient.find(app);
        daemon.get("/api/runs/" + runId);  // an unknown run is exit 2 with the daemon's words
        return daemon.follow(runId, app.terminal());
    }
}
