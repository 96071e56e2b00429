package dev.ensemble.cli;

import dev.ensemble.agents.AgentInfo;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.http.HttpTransport;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "agents", mixinStandardHelpOptions = true,
        description = {"List the coding agents ensemble can dispatch to.",
                "Claude Code, Codex, OpenCode, Gemini CLI, Qwen Code, Continue, Aider and ensemble's builtin agent: "
                        + "where each is, its version, whether it can run (ready, slow to answer, unusable or missing) and "
                        + "which wire protocols (so which models) it can drive. Each version is asked once per installed "
                        + "binary and remembered until the binary changes (in $XDG_CACHE_HOME/ensemble/agents.json, else "
                        + "~/.cache/ensemble/agents.json).",
                "With the gateway on (the default; `gateway: { agents: false }` turns it off), exec, go and resume point "
                        + "each CLI at ensemble's in-process gateway, which speaks its wire and translates to every model's: "
                        + "a CLI then drives every wire (so any catalog model); `native` is the wire it speaks itself.",
                "Install the npm CLIs into ensemble's cache with .ci/install-agent-clis.sh (in ensemble's checkout)."})
final class AgentsCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        AppContext app = main.app();
        Terminal term = app.terminal();
        List<AgentInfo> infos = app.agents().detectAll();
        boolean gateway = RunGateway.enabled(app);
        if (json) {
            ObjectNode root = HttpTransport.JSON.createObjectNode();
            root.putObject("gateway").put("agents", gateway);
            ArrayNode array = root.putArray("agents");
            for (AgentInfo info : infos) {
                AgentInfo now = RunGateway.drivable(app, info);
                ObjectNode node = array.addObject().put("name", info.name()).put("status", status(info))
                        .put("usable", info.usable()).put("version", info.version()).put("reason", info.reason());
                node.put("binary", info.binary().map(Object::toString).orElse(""));
                // What it can drive in exec/go now; native: the wires it speaks itself (all it drives without the gateway).
                wires(node.putArray("drives"), now);
                wires(node.putArray("native"), info);
                node.put("through_gateway", now != info);
            }
            term.printJson(root);
            return ExitCodes.OK;
        }
        Table table = new Table("agent", "status", "version", "drives", "where / why not");
        for (AgentInfo info : infos) {
            AgentInfo now = RunGateway.drivable(app, info);
            String natively = String.join(",", info.drives().stream().map(WireProtocol::key).sorted().toList());
            String drives = now == info ? natively : "every wire (gateway; speaks " + natively + ")";
            String where = info.binary().map(Object::toString).orElse("(built in)");
            String label = status(info);
            table.row(info.name(), switch (info.status()) {
                case READY -> term.green(label);
                case SLOW, UNUSABLE -> term.yellow(label);
                case MISSING -> term.dim(label);
            }, info.version(), drives, switch (info.status()) {
                case READY -> where;
                case SLOW -> info.reason() + " (" + where + "; used anyway)";
                case UNUSABLE, MISSING -> info.reason();
            });
        }
        term.out().print(table.render());
        term.out().println(gateway
                ? "gateway: on — exec, go and resume send CLI agents through ensemble's gateway, so each drives every catalog model "
                        + "(`gateway: { agents: false }` turns it off)"
                : "gateway: off (gateway.agents: false) — each CLI drives only the models of the wire it speaks");
        return ExitCodes.OK;
    }

    private static void wires(ArrayNode array, AgentInfo info) {
        info.drives().stream().map(WireProtocol::key).sorted().forEach(array::add);
    }

    /** ready, slow (installed, did not answer its version check in time: used anyway), unusable or missing. */
    static String status(AgentInfo info) {
        return info.status().name().toLowerCase(Locale.ROOT);
    }
}
