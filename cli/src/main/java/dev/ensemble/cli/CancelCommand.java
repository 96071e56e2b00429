package dev.ensemble.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Stop a run the daemon carries out.",
                "Its agents' process trees are killed, its worktrees kept for inspection, and it is marked cancelled "
                        + "(`ensemble resume <run> --detach` can still finish it)."})
final class CancelCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "RUN", description = "The run id (`ensemble runs`).")
    String runId;

    @Override
    public Integer call() {
        AppContext app = main.app();
        var answer = DaemonClient.find(app).post("/api/runs/" + runId + "/cancel", dev.ensemble.llm.http.HttpTransport.JSON.createObjectNode());
        app.terminal().out().println(answer.path("run_id").asString() + " cancelled");
        return ExitCodes.OK;
    }
}
