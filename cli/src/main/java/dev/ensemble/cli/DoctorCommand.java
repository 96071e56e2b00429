package dev.ensemble.cli;

import dev.ensemble.agents.AgentInfo;
import dev.ensemble.agents.builtin.BuiltinAgent;
import dev.ensemble.agents.process.Sandbox;
import dev.ensemble.agents.process.SandboxMode;
import dev.ensemble.agents.process.SandboxPolicy;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.llm.ModelAvailability;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.llm.provider.OllamaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check what ensemble can use on this machine.",
                "Checks, in parallel: the JDK, git, tmux, the coding-agent CLIs, Ollama and its models, provider keys, "
                        + "the store, the OS sandbox (policy.sandbox) and (on macOS) terminal automation permissions.",
                "Exit 0 when at least one model is usable, 1 otherwise."})
final class DoctorCommand implements Callable<Integer> {
    private static final Duration PROBE_LIMIT = Duration.ofSeconds(10);
    private static final int AGENTS_PROBE = 3;

    @ParentCommand Main main;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    enum Status { OK, WARN, FAIL, INFO }

    record Check(String area, String name, Status status, String detail) {}

    @Override
    public Integer call() throws Exception {
        AppContext app = main.app();
        Catalog catalog = app.config().catalog();
        // Built before the probes start: each is quick, and AppContext is one lock, so a probe that
        // opens the store (the models probe, through the ledger) would otherwise hold up the others.
        app.agents();
        app.secrets();
        SandboxPolicy sandboxPolicy = app.sandboxPolicy();
        List<Callable<List<Check>>> probes = new ArrayList<>();
        probes.add(() -> List.of(java()));
        probes.add(() -> List.of(tool("git", List.of("git", "--version"), true, "required: worktrees, diffs and merges")));
        probes.add(() -> List.of(tool("tmux", List.of("tmux", "-V"), false, "optional: live views of running workers")));
        probes.add(AGENTS_PROBE, () -> agents(app));
        for (ProviderSpec provider : catalog.providers().values()) {
            if (provider.wire() == WireProtocol.OLLAMA) probes.add(() -> List.of(ollama(provider)));
            else probes.add(() -> List.of(key(app, provider)));
        }
        probes.add(() -> List.of(store(app)));
        probes.add(() -> sandbox(sandboxPolicy, app.detectedSandbox()));
        probes.add(() -> List.of(macAutomation()));
        probes.add(() -> models(app, catalog));

        List<Check> checks = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<Check>>> futures = new ArrayList<>();
            for (Callable<List<Check>> probe : probes) futures.add(pool.submit(probe));
            long deadline = System.nanoTime() + PROBE_LIMIT.plusSeconds(5).toNanos();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    checks.addAll(futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                } catch (Exception e) {
                    futures.get(i).cancel(true);
                    if (i == AGENTS_PROBE) {
                        // Detection has its own deadlines and should not get here; if it does, every CLI is
                        // still named, as slow rather than missing, and the builtin agent needs no detection.
                        for (String name : app.agents().names()) {
                            if (name.equals(BuiltinAgent.NAME)) checks.add(builtin());
                            else checks.add(new Check("agents", name, Status.WARN, "slow: detection did not finish within "
                                    + PROBE_LIMIT.plusSeconds(5).toSeconds() + " s"));
                        }
                    } else {
                        checks.add(new Check("internal", "probe", Status.WARN, "a check did not finish: " + e));
                    }
                }
            }
        }
        boolean anyUsable = checks.stream().anyMatch(c -> c.area().equals("models") && c.status() == Status.OK);
        print(app.terminal(), checks, anyUsable);
        if (anyUsable) return ExitCodes.OK;
        // The same ending as every command that finds no usable model: exit 3, the next step last.
        Terminal term = app.terminal();
        List<ModelSpec> servable = ModelErrors.servable(catalog.models().values(), app.config().localOnly());
        String next = servable.isEmpty() ? ModelErrors.GENERIC_NEXT_STEP
                : app.usability().noneUsable(null, servable).map(e -> ModelErrors.nextStep(e.unusable())).orElse(ModelErrors.GENERIC_NEXT_STEP);
        term.err().println(term.red("ensemble: no usable model") + " (nothing can be sent until one is)");
        term.err().println(next);
        return ExitCodes.NO_MODEL;
    }

    private void print(Terminal term, List<Check> checks, boolean anyUsable) {
        if (json) {
            ObjectNode root = HttpTransport.JSON.createObjectNode();
            root.put("usable", anyUsable);
            ArrayNode array = root.putArray("checks");
            for (Check c : checks) {
                array.addObject().put("area", c.area()).put("name", c.name())
                        .put("status", c.status().name().toLowerCase(Locale.ROOT)).put("detail", c.detail());
            }
            term.printJson(root);
            return;
        }
        Table table = new Table("area", "check", "status", "detail");
        for (Check c : checks) {
            String status = switch (c.status()) {
                case OK -> term.green("ok");
                case WARN -> term.yellow("warn");
                case FAIL -> term.red("FAIL");
                case INFO -> term.dim("-");
            };
            table.row(c.area(), c.name(), status, c.detail());
        }
        term.out().print(table.render());
        if (anyUsable) term.out().println(term.green("Ready: at least one model is usable."));
    }

    /**
     * Which sandbox the runs of this repository get, and why: the mechanism found (bwrap working,
     * missing, or not permitted; socat, which forwards the gateway into a gateway-only network),
     * weighed against {@code policy.sandbox}. Required and none usable is a FAIL: exec, go and
     * resume would refuse to start.
     */
    static List<Check> sandbox(SandboxPolicy policy, Sandbox detected) {
        List<Check> checks = new ArrayList<>();
        String mode = "policy.sandbox: " + policy.mode().key();
        Check mechanism = switch (detected) {
            case Sandbox.Bubblewrap b -> policy.mode() == SandboxMode.OFF
                    ? new Check("sandbox", "mechanism", Status.WARN, "none: " + mode + " (bubblewrap " + b.bwrap()
                            + " would work here); agents run with your user's access")
                    : new Check("sandbox", "mechanism", Status.OK, "bubblewrap (" + b.bwrap() + "): found and working; socat ("
                            + b.socat() + ") forwards the gateway into the sandbox's network; " + mode);
            case Sandbox.SandboxExec e -> policy.mode() == SandboxMode.OFF
                    ? new Check("sandbox", "mechanism", Status.WARN, "none: " + mode + " (sandbox-exec would work here)")
                    : new Check("sandbox", "mechanism", Status.OK, "sandbox-exec (" + e.sandboxExec() + "): working; " + mode);
            case Sandbox.None none -> switch (policy.mode()) {
                case REQUIRED -> new Check("sandbox", "mechanism", Status.FAIL, "none usable: " + none.why() + "; " + mode
                        + ", so exec, go and resume refuse to start (exit 2)");
                case PREFERRED -> new Check("sandbox", "mechanism", Status.WARN, "none usable: " + none.why() + "; " + mode
                        + ": runs warn once and go unconfined");
                case OFF -> new Check("sandbox", "mechanism", Status.WARN, "none: " + mode + " (" + none.why() + ")");
            };
        };
        checks.add(mechanism);
        checks.add(new Check("sandbox", "network", Status.INFO, "agents: " + policy.network() + " (policy.network); the judge's "
                + "commands: " + policy.judgeNetwork() + " (policy.judge_network)"));
        return checks;
    }

    private static Check java() {
        Runtime.Version v = Runtime.version();
        String home = System.getProperty("java.home");
        return v.feature() >= 21 ? new Check("system", "java", Status.OK, "Java " + v + " (" + home + ")")
                : new Check("system", "java", Status.FAIL, "Java " + v + ": ensemble needs 21 or newer");
    }

    private static Check tool(String name, List<String> command, boolean required, String why) {
        if (Processes.onPath(name).isEmpty()) {
            return new Check("system", name, required ? Status.FAIL : Status.WARN, "not found on PATH (" + why + ")");
        }
        Processes.Result r = Processes.run(command, PROBE_LIMIT);
        return r.ok() ? new Check("system", name, Status.OK, r.firstLine())
                : new Check("system", name, required ? Status.FAIL : Status.WARN, "did not run: " + (r.timedOut() ? "timed out" : r.firstLine()));
    }

    /**
     * The same detection as `ensemble agents` (PATH and the install cache, remembered per binary),
     * each CLI with its own deadline: one that answers late is "slow", never "not installed".
     */
    private static List<Check> agents(AppContext app) {
        List<Check> checks = new ArrayList<>();
        for (AgentInfo info : app.agents().detectAll()) {
            if (info.name().equals(BuiltinAgent.NAME)) {
                checks.add(builtin());
                continue;
            }
            String where = info.binary().map(b -> " (" + b + ")").orElse("");
            checks.add(switch (info.status()) {
                case READY -> new Check("agents", info.name(), Status.OK, info.version() + where);
                case SLOW -> new Check("agents", info.name(), Status.WARN, info.reason() + where + "; used anyway");
                case UNUSABLE -> new Check("agents", info.name(), Status.WARN, info.reason());
                case MISSING -> new Check("agents", info.name(), Status.INFO, "not installed");
            });
        }
        return checks;
    }

    private static Check builtin() {
        return new Check("agents", BuiltinAgent.NAME, Status.OK, "built in: drives any model of the catalog");
    }

    private static Check ollama(ProviderSpec provider) {
        OllamaClient.Status status;
        try (OllamaClient client = new OllamaClient(provider.baseUrl(), Duration.ofSeconds(2), Optional.empty())) {
            status = client.probe();
        }
        if (!status.running()) {
            return new Check("providers", ollamaLabel(provider), Status.INFO, status.problem());
        }
        String models = status.models().isEmpty() ? "no models pulled (ollama pull qwen2.5-coder:7b)" : String.join(", ", status.models());
        return new Check("providers", ollamaLabel(provider), Status.OK,
                "version " + status.version() + " at " + provider.baseUrl() + ": " + models);
    }

    private static String ollamaLabel(ProviderSpec provider) {
        return provider.name().equals("ollama") ? "ollama" : provider.name() + " (ollama)";
    }

    private static Check key(AppContext app, ProviderSpec provider) {
        if (provider.apiKey().isEmpty()) {
            return new Check("providers", provider.name(), Status.INFO, "no key configured (" + provider.baseUrl() + ")");
        }
        var check = app.secrets().check(provider.apiKey().get());
        return new Check("providers", provider.name(), check.available() ? Status.OK : Status.INFO,
                (check.available() ? "key " + check.reason() : check.reason()));
    }

    /** Reads the store if there is one; never creates it (doctor only looks, and may be run outside any repository). */
    private static Check store(AppContext app) {
        try {
            if (!app.storeExists()) {
                Path repo = app.repoRoot();
                boolean inRepository = Files.exists(repo.resolve(".git"));
                return new Check("system", "store", Status.INFO, inRepository
                        ? "none yet: created in " + repo.resolve(".ensemble") + " by the first command that records something"
                        : "not in a git repository: ensemble keeps its store in a repository's .ensemble/ folder");
            }
            return new Check("system", "store", Status.OK, app.store().description() + " (writable)");
        } catch (RuntimeException e) {
            return new Check("system", "store", Status.FAIL, "cannot open the store: " + e.getMessage());
        }
    }

    private static Check macAutomation() {
        if (!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("mac")) {
            return new Check("system", "macOS automation", Status.INFO, "not macOS: the iTerm2 integration does not apply");
        }
        Processes.Result r = Processes.run(List.of("osascript", "-e",
                "tell application \"System Events\" to return name of first process"), PROBE_LIMIT);
        return r.ok() ? new Check("system", "macOS automation", Status.OK, "osascript may control System Events")
                : new Check("system", "macOS automation", Status.WARN, "grant Automation and Accessibility to your terminal in "
                        + "System Settings > Privacy & Security (needed for iTerm2 views): " + r.firstLine());
    }

    private static List<Check> models(AppContext app, Catalog catalog) throws Exception {
        Map<String, ModelAvailability> availability = ModelsCommand.availability(app.availabilityChecks(), catalog.models().values());
        List<String> usable = new ArrayList<>();
        for (ModelSpec m : catalog.models().values()) if (availability.get(m.id()).usable()) usable.add(m.id());
        if (usable.isEmpty()) return List.of(new Check("models", "usable models", Status.FAIL, "none of " + catalog.models().size()));
        String shown = usable.size() <= 6 ? String.join(", ", usable) : String.join(", ", usable.subList(0, 6)) + ", …";
        return List.of(new Check("models", "usable models", Status.OK, usable.size() + " of " + catalog.models().size() + ": " + shown));
    }

}
