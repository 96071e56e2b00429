package dev.ensemble.cli;

import dev.ensemble.agents.builtin.BuiltinAgent;
import dev.ensemble.agents.builtin.BuiltinSettings;
import dev.ensemble.agents.cli.AgentRegistry;
import dev.ensemble.agents.cli.CliSettings;
import dev.ensemble.agents.enforce.ApprovePaths;
import dev.ensemble.agents.enforce.Policy;
import dev.ensemble.agents.process.Launcher;
import dev.ensemble.agents.process.Sandbox;
import dev.ensemble.agents.process.SandboxMode;
import dev.ensemble.agents.process.SandboxPolicy;
import dev.ensemble.agents.process.SandboxProbe;
import dev.ensemble.agents.process.SandboxUnavailableException;
import dev.ensemble.agents.workspace.WorkspaceManager;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.UserDirs;
import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.core.config.EnsembleConfig;
import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.EvidenceSource;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.core.routing.Router;
import dev.ensemble.core.routing.RoutingSettings;
import dev.ensemble.core.routing.Spent;
import dev.ensemble.engine.approval.ApprovalListener;
import dev.ensemble.engine.approval.ApprovalSettings;
import dev.ensemble.engine.approval.Approvals;
import dev.ensemble.engine.converse.RoleModels;
import dev.ensemble.engine.pipeline.Pipelines;
import dev.ensemble.engine.store.StoreEvidence;
import dev.ensemble.engine.store.LedgerSpend;
import dev.ensemble.engine.store.Ledger;
import dev.ensemble.engine.store.Store;
import dev.ensemble.gateway.AttemptTap;
import dev.ensemble.gateway.observe.BudgetLeft;
import dev.ensemble.gateway.observe.GatewayMetrics;
import dev.ensemble.gateway.observe.GatewayTracing;
import dev.ensemble.llm.BudgetGuard;
import dev.ensemble.gateway.AttemptTap;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.OllamaDiscovery;
import dev.ensemble.llm.OllamaTags;
import dev.ensemble.llm.SecretResolver;
import dev.ensemble.llm.Usability;
import dev.ensemble.llm.http.HttpTransport;
import dev.ensemble.llm.SecretStore;
import dev.ensemble.llm.SpendSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What commands share, built on first use (synchronized: doctor probes it from parallel threads,
 * and two racing first uses must not open the store twice) so that `ensemble --version` or `--help` touches neither
 * the configuration nor the database. One per process; closed on exit.
 */
public final class AppContext implements AutoCloseable {
    private final Terminal terminal;
    private final Path workingDir;
    private final ConfigLoader configLoader;
    private final Map<String, String> env;
    private Path repoRoot;
    private Catalog overlay;
    private Settings settings;
    private EnsembleConfig loadedConfig;
    private EnsembleConfig config;
    private final OllamaTags ollamaTags = new OllamaTags();
    private OllamaDiscovery discovery;
    private SecretResolver secrets;
    private Store store;
    /** The empty in-memory store that read-only commands see while the real one was never created. */
    private Store emptyStore;
    private Ledger ledger;
    private Approvals approvals;
    private ApprovalListener approvalListener = ApprovalListener.NONE;
    private boolean ledgerWritesBehind;
    private ChatModels models;
    private BudgetGuard budgetGuard;
    private AttemptTap attemptTap;
    private ChatModels availabilityChecks;
    private RoleModels roleModels;
    private AgentRegistry agents;
    private Boolean localOverride;
    private Clock clock = Clock.systemUTC();
    private CliSettings cliSettings;
    private Optional<GatewayTracing> tracing;
    private volatile GatewayMetrics metrics;
    /** The sandbox mechanism found here; set by tests to stand for a machine without one. */
    private Sandbox detectedSandbox;
    /** Hears every run event once it is stored: the daemon's bus; nobody in a plain command. */
    private java.util.function.Consumer<dev.ensemble.engine.event.RunEvent> eventSink = e -> {};
    private dev.ensemble.engine.event.RunEvents runEvents;
    /** The launcher of this process's attempts, once a run command chose it ({@link #launcher()}). */
    private Launcher launcher;

    public AppContext(Terminal terminal, Path workingDir) {
        this(terminal, workingDir, null, System.getenv());
    }

    /** With a given configuration loader (tests, embedding); null means the standard layers. */
    public AppContext(Terminal terminal, Path workingDir, ConfigLoader configLoader) {
        this(terminal, workingDir, configLoader, System.getenv());
    }

    /**
     * With the environment the process would have: where the user's files are ({@code $HOME},
     * {@code $XDG_CONFIG_HOME}: {@link UserDirs}), {@code ENSEMBLE_*} settings for the standard
     * layers, {@code env:} secrets.
     */
    public AppContext(Terminal terminal, Path workingDir, ConfigLoader configLoader, Map<String, String> env) {
        this.terminal = terminal;
        this.workingDir = workingDir.toAbsolutePath().normalize();
        this.configLoader = configLoader;
        this.env = Map.copyOf(env);
    }

    /** The user's home and configuration folders, from this context's environment. */
    public UserDirs userDirs() {
        return new UserDirs(env);
    }

    public Terminal terminal() {
        return terminal;
    }

    /** Where ensemble was started (absolute). */
    public Path workingDir() {
        return workingDir;
    }

    /** The repository ensemble works in: the git top level above the working directory, else the working directory. */
    public synchronized Path repoRoot() {
        if (repoRoot == null) repoRoot = gitTopLevel(workingDir);
        return repoRoot;
    }

    public ConfigLoader configLoader() {
        return configLoader != null ? configLoader : ConfigLoader.standard(repoRoot(), env);
    }

    /**
     * Every section of the configuration, checked together (the one validation every command runs
     * first); throws ConfigException (exit 2) naming file, line and key of each problem.
     */
    synchronized Settings settings() {
        if (settings == null) settings = Settings.load(configLoader());
        return settings;
    }

    /**
     * The configuration as the model commands use it: the layers, with every model a local Ollama
     * has pulled that the catalog lacks (found by {@link OllamaDiscovery}: one {@code /api/tags}
     * per Ollama and process, shared with the availability checks, and {@code /api/show} for the
     * unknown ones). This catalog is what {@code models}, {@code doctor}, the aliases, the router
     * and every command that calls a model see. Throws ConfigException (exit 2) when any layer or
     * section is invalid.
     */
    public synchronized EnsembleConfig config() {
        if (config == null) {
            EnsembleConfig loaded = loadedConfig();
            if (discovery == null) {
                Path cache = userDirs().cacheDir().resolve("ollama-show.json");
                discovery = new OllamaDiscovery(ollamaTags, cache, Clock.systemUTC());
            }
            config = withCatalog(loaded, discovery.extend(loaded.catalog()), loaded.localOnly());
            registerKeys(loaded, true);
        }
        return config;
    }

    /**
     * The configuration as its layers (and the demo's overlay) give it, without asking any Ollama:
     * for commands that call no model ({@code config check}, the store behind {@code runs},
     * {@code usage}, {@code budget}). Throws ConfigException (exit 2) when a layer is invalid.
     */
    public synchronized EnsembleConfig loadedConfig() {
        if (loadedConfig == null) {
            EnsembleConfig loaded = settings().config();
            EnsembleConfig c = overlay == null ? loaded : withCatalog(loaded, merge(loaded.catalog(), overlay), loaded.localOnly());
            loadedConfig = localOverride == null ? c : withCatalog(c, c.catalog(), localOverride);
            registerKeys(loadedConfig, false);
        }
        return loadedConfig;
    }

    /**
     * Every key the configuration names is masked from here on, whether or not this command uses
     * it ({@link SecretResolver#registerConfigured}): env: and file: values when the configuration
     * is loaded; pass: and keychain: ones (a program each) too when a command calls models or
     * agents ({@link #config()}), so that {@code config check} or {@code runs} start no program.
     */
    private void registerKeys(EnsembleConfig c, boolean byProgram) {
        List<dev.ensemble.core.SecretRef> refs = new java.util.ArrayList<>();
        c.catalog().providers().values().forEach(p -> p.apiKey().ifPresent(refs::add));
        c.store().password().ifPresent(refs::add);
        secrets().registerConfigured(refs, byProgram);
    }

    /**
     * {@code --local} (true) or {@code --no-local} (false) for this process: wins over
     * {@code local_only} in the configuration.
     */
    public synchronized void overrideLocalOnly(boolean localOnly) {
        if (Boolean.valueOf(localOnly).equals(localOverride)) return;
        this.localOverride = localOnly;
        this.loadedConfig = null;
        this.config = null;
        dropModels();
        this.roleModels = null;
        this.agents = null;
    }

    /** The {@code budget:} section; throws ConfigException (exit 2) when the configuration is invalid. */
    public synchronized Budget budget() {
        return settings().budget();
    }

    /** The {@code routing:} section. */
    public synchronized RoutingSettings routing() {
        return settings().routing();
    }

    /** The roles: the defaults with the {@code roles:} section over them. */
    public synchronized Roles roles() {
        return settings().roles();
    }

    /** The Enforcer's rules: the {@code policy:} section over the defaults. */
    public synchronized Policy policy() {
        return settings().policy();
    }

    /** {@code policy.approve_paths}: a task owning a matching path needs an approval before it is dispatched. */
    public synchronized ApprovePaths approvePaths() {
        return settings().approvePaths();
    }

    /** The {@code approvals:} section: how long a pending approval waits. */
    public synchronized ApprovalSettings approvalSettings() {
        return settings().approvals();
    }

    /**
     * The approvals in this repository's store (opening, and creating, it), telling {@code
     * approvalListener} of each one this process records or decides.
     */
    public synchronized Approvals approvals() {
        if (approvals == null) {
            approvals = new Approvals(store()).withListener(new dev.ensemble.engine.approval.ApprovalEvents(runEvents(), approvalListener));
        }
        return approvals;
    }

    /** Who hears of approvals this process records or decides (the daemon's event log); set before the first {@link #approvals()}. */
    public synchronized void approvalListener(ApprovalListener listener) {
        this.approvalListener = java.util.Objects.requireNonNull(listener, "listener");
        this.approvals = null;
    }

    /** {@code policy.sandbox}, {@code policy.network} and {@code policy.judge_network}. */
    public synchronized SandboxPolicy sandboxPolicy() {
        return settings().sandbox();
    }

    /** The sandbox mechanism that works here, or {@link Sandbox.None} with the reason (probed once per process). */
    public Sandbox detectedSandbox() {
        Sandbox given;
        synchronized (this) {
            given = detectedSandbox;
        }
        // The probe runs bwrap once: outside the context's lock, which doctor's other probes share.
        return given != null ? given : SandboxProbe.detect();
    }

    /** Stands for this machine's mechanism (tests: a machine without one); before {@link #launcher()}. */
    synchronized void detectedSandbox(Sandbox sandbox) {
        this.detectedSandbox = sandbox;
        this.launcher = null;
        this.agents = null;
    }

    /**
     * The launcher through which every child of this run's attempts starts (CLI agents, the builtin
     * agent's commands, the judge's commands), chosen once from {@code policy.sandbox}: called by
     * {@code exec}, {@code go} and {@code resume} before they write anything. Under
     * {@code preferred} without a mechanism it prints the one loud warning of the run; under
     * {@code required} without one it refuses (exit 2) with the reason.
     */
    public synchronized Launcher launcher() {
        if (launcher == null) {
            SandboxPolicy policy = sandboxPolicy();
            // Off is off: not even the probe runs.
            Sandbox detected = policy.mode() == SandboxMode.OFF ? new Sandbox.None("policy.sandbox: off") : detectedSandbox();
            Launcher chosen;
            try {
                chosen = SandboxProbe.choose(policy, detected);
            } catch (SandboxUnavailableException e) {
                throw new UserInputException(e.getMessage() + "; install it, or set policy.sandbox: preferred (warns and runs "
                        + "unconfined) or off");
            }
            SandboxProbe.warning(policy, chosen).ifPresent(w -> terminal.err().println(terminal.bold(terminal.red(w))));
            launcher = chosen;
            agents = null;  // rebuilt around the launcher
        }
        return launcher;
    }

    /** The built-in pipelines with the {@code pipelines:} section over them. */
    public synchronized Pipelines pipelines() {
        return settings().pipelines();
    }

    /** The clock budgets count days by (UTC). */
    public Clock clock() {
        return clock;
    }

    /** Where the agent CLIs are looked for (tests: a fake CLI); before the first use of {@link #agents()}. */
    synchronized void cliSettings(CliSettings settings) {
        this.cliSettings = settings;
        this.agents = null;
    }

    void clock(Clock newClock) {
        this.clock = newClock;
        dropModels();
        this.roleModels = null;
    }

    /**
     * Adds providers, models and aliases on top of the configuration for this process only: how
     * the demo serves its built-in scripted models without touching any file.
     */
    public synchronized void overlay(Catalog extra) {
        this.overlay = extra;
        this.loadedConfig = null;
        this.config = null;
        dropModels();
        this.roleModels = null;
    }

    /** Forgets the models (the settings they were built from changed), stopping their HTTP clients. */
    private synchronized void dropModels() {
        if (models != null) models.close();
        models = null;
        if (availabilityChecks != null) availabilityChecks.close();
        availabilityChecks = null;
    }

    /**
     * Resolves key references against the environment the configuration was loaded with, and
     * falls back from an unset {@code env:NAME} to the key {@code ensemble secrets set NAME} stored.
     */
    public synchronized SecretResolver secrets() {
        if (secrets == null) secrets = SecretResolver.withStore(env);
        return secrets;
    }

    /** Resolves keys with this resolver instead of the process's environment (tests: this machine's keys stay out). */
    synchronized void useSecrets(SecretResolver resolver) {
        this.secrets = resolver;
        dropModels();
        this.roleModels = null;
    }

    /** Where {@code ensemble secrets} keeps keys on this machine (keychain, pass or files). */
    public SecretStore secretStore() {
        return secrets().store().orElseThrow();
    }

    /**
     * Whether the store is there to be read without creating it: open already, a PostgreSQL
     * database (nothing is created locally), or a SQLite file that exists. Commands that only look
     * ({@code doctor}) or that must check their preconditions first ask this before {@link #store()}.
     */
    public synchronized boolean storeExists() {
        return store != null || Store.exists(loadedConfig().store(), repoRoot());  // the files alone: no Ollama is asked
    }

    /** The store, opened on first use: creating {@code .ensemble/} (git-ignored through {@code .git/info/exclude}) when needed. */
    public synchronized Store store() {
        if (store == null) {
            EnsembleConfig checked = loadedConfig();  // a bad configuration stops here, before .git/info/exclude is touched
            if (Files.exists(repoRoot().resolve(".git"))) {
                try {
                    // The database (and later transcripts and reports) go under .ensemble/: never in the user's git status.
                    WorkspaceManager.excludeEnsembleFolder(repoRoot());
                } catch (RuntimeException e) {
                    terminal.err().println(terminal.yellow("ensemble: could not add .ensemble/ to .git/info/exclude: " + e.getMessage()));
                }
            }
            store = Store.open(checked.store(), repoRoot(), ref -> secrets().resolve(ref)
                    .orElseThrow(() -> new IllegalStateException("store password " + ref + " cannot be resolved")));
        }
        return store;
    }

    /**
     * The store for a command that only reads: the real one when it exists, otherwise an empty
     * one in memory, so {@code runs}, {@code usage}, {@code stats}, {@code report} and
     * {@code route} in a fresh repository print "nothing yet" without creating {@code .ensemble/}.
     */
    public synchronized Store storeForReading() {
        if (storeExists()) return store();
        if (emptyStore == null) emptyStore = Store.emptyInMemory(loadedConfig().store(), repoRoot());
        return emptyStore;
    }

    /** The ledger of {@link #storeForReading()}. */
    public synchronized Ledger ledgerForReading() {
        return storeExists() ? ledger() : new Ledger(storeForReading());
    }

    public synchronized Ledger ledger() {
        if (ledger == null) {
            ledger = new Ledger(store());
            if (ledgerWritesBehind) ledger.writeBehind();
        }
        return ledger;
    }

    /**
     * For a server (the gateway): the ledger, once opened, writes its rows on a thread of its own
     * so no call waits for a commit ({@link Ledger#writeBehind()}); {@link #closeLedger()} or
     * {@link #close()} writes what is queued. The store is still opened only by the first call.
     */
    public synchronized void writeLedgerBehind() {
        ledgerWritesBehind = true;
        if (ledger != null) ledger.writeBehind();
    }

    /** Writes the ledger's queued rows: from a shutdown hook, which may run before {@link #close()} would. */
    public void closeLedger() {
        Ledger opened;
        synchronized (this) {
            opened = ledger;
        }
        if (opened != null) opened.close();
    }

    public synchronized ChatModels models() {
        if (models == null) {
            EnsembleConfig c = config();
            // Every model call is checked against the budgets, with spending read from the ledger;
            // the one warning line goes to stderr so piped answers stay clean. The ledger is opened
            // by the first call, not here: checking which models are usable (doctor, a command's
            // preconditions) must not create a store, and with no store yet nothing was spent.
            // Tapped, so a gateway started for a run's agents settles each of its attempts' rows (RunGateway).
            models = new ChatModels(c.catalog(), c.timeouts(), c.retry(), c.breaker(), secrets(), attemptTap(),
                    Optional.of(budgetGuard()), c.localOnly(), ollamaTags);
        }
        return models;
    }

    /** What was spent against each budget, from the ledger (nothing while there is no store). */
    public SpendSource spendSource() {
        Clock budgetClock = clock;
        // Opened once the store exists, then kept: asked before every call, it must not take this context's lock each time.
        java.util.concurrent.atomic.AtomicReference<LedgerSpend> opened = new java.util.concurrent.atomic.AtomicReference<>();
        return context -> {
            LedgerSpend spend = opened.get();
            if (spend == null) {
                if (!storeExists()) return Spent.NOTHING;
                spend = opened.updateAndGet(s -> s != null ? s : new LedgerSpend(ledger(), budgetClock));
            }
            return spend.spent(context);
        };
    }

    /**
     * The budgets with spending read from the ledger: what {@link #models()} checks before every
     * call, and what a gateway asks before forwarding one. One guard, so its one warning line is
     * said once per process.
     */
    public synchronized BudgetGuard budgetGuard() {
        if (budgetGuard == null) {
            budgetGuard = new BudgetGuard(budget(), spendSource(), line -> terminal.err().println(terminal.yellow("ensemble: " + line)));
        }
        return budgetGuard;
    }

    /**
     * Where {@link #models()} records every attempt: the ledger, and a gateway request waiting for
     * its own attempts (to settle them with its caller's key and budgets).
     */
    public synchronized AttemptTap attemptTap() {
        if (attemptTap == null) attemptTap = new AttemptTap(observers(call -> ledger().onCall(call)));
        return attemptTap;
    }

    /** Every run event this context stores is also handed to {@code sink} (the daemon's live stream); before {@link #runEvents()}. */
    public synchronized void publishEventsTo(java.util.function.Consumer<dev.ensemble.engine.event.RunEvent> sink) {
        this.eventSink = sink;
        this.runEvents = null;
        this.approvals = null;
    }

    /** The run event log of this repository's store, publishing to the sink set by {@link #publishEventsTo}. */
    public synchronized dev.ensemble.engine.event.RunEvents runEvents() {
        if (runEvents == null) {
            runEvents = new dev.ensemble.engine.event.RunEvents(new dev.ensemble.engine.event.EventLog(store(), clock(), eventSink));
        }
        return runEvents;
    }

    /** This context's whole environment (what a context it makes for another folder gets). */
    public Map<String, String> environment() {
        return env;
    }

    /** A variable of this context's environment (a test's, or the process's), or null. */
    public String env(String name) {
        return env.get(name);
    }

    /**
     * Every ledger row also goes to the OpenTelemetry spans (when {@code telemetry.otlp_endpoint}
     * is set) and to the Prometheus metrics (once {@link #metrics()} was asked for, by the gateway).
     * Each observer on its own: one that fails does not keep the row from the others.
     */
    private CallObserver observers(CallObserver ledgerRows) {
        Optional<GatewayTracing> spans = tracing();
        return call -> {
            try {
                ledgerRows.onCall(call);
            } finally {
                spans.ifPresent(t -> t.onCall(call));
                GatewayMetrics m = metrics;
                if (m != null) m.onCall(call);
            }
        };
    }

    /** OTLP tracing of every model call, when the configuration names a collector; empty (nothing created) otherwise. */
    public synchronized Optional<GatewayTracing> tracing() {
        if (tracing == null) tracing = GatewayTracing.start(settings().telemetry(), config().catalog());
        return tracing;
    }

    /** The Prometheus metrics of this process's model calls, created on first use (the gateway's {@code /metrics}). */
    public synchronized GatewayMetrics metrics() {
        if (metrics == null) {
            GatewayMetrics m = new GatewayMetrics(config().catalog());
            Budget limits = budget();
            SpendSource spend = spendSource();
            // the day's budget left, read from the ledger at each scrape (nothing spent while there is no store)
            limits.dailyUsd().ifPresent(daily -> m.addBudgetSource(
                    () -> List.of(BudgetLeft.day(daily - spend.spent(dev.ensemble.llm.CallContext.NONE).todayUsd()))));
            metrics = m;
        }
        return metrics;
    }

    /**
     * What can be called, found out without sending anything and without opening the store: the
     * check commands make before they write (the planner of {@code go}, the model of {@code exec}).
     * The models' own when they are already built, so each local server is probed once.
     */
    public synchronized Usability usability() {
        return models != null ? models.usability() : availabilityChecks().usability();
    }

    /**
     * The catalog's models for asking only whether each is usable now (key resolvable, Ollama model
     * pulled): without the ledger and budgets behind {@link #models()}, so {@code models} and
     * {@code doctor} answer without waiting for the store to open. Never used to call a model.
     */
    public synchronized ChatModels availabilityChecks() {
        if (availabilityChecks == null) {
            EnsembleConfig c = config();
            availabilityChecks = new ChatModels(c.catalog(), c.timeouts(), c.retry(), c.breaker(), secrets(), CallObserver.NONE,
                    Optional.empty(), c.localOnly(), ollamaTags);
        }
        return availabilityChecks;
    }

    /**
     * Who plays each role (the {@code roles:} section, the router with this repository's evidence,
     * and the models): what chat, consensus, review and pipelines cast their parts from.
     */
    public synchronized RoleModels roleModels() {
        if (roleModels == null) {
            Catalog catalog = config().catalog();
            Router router = new Router(catalog.models().values(), routing(), evidence());
            roleModels = new RoleModels(roles(), models(), router);
        }
        return roleModels;
    }

    /**
     * What the router has learned in this repository, read from the store on each decision; none
     * while there is no store, which casting a role (a precondition of precommit --install) must
     * not create.
     */
    public EvidenceSource evidence() {
        return () -> storeExists() ? new StoreEvidence(store()).evidence() : Map.of();
    }

    /** Every coding agent: the CLIs (found on PATH or in the install cache) and ensemble's builtin agent. */
    public synchronized AgentRegistry agents() {
        if (agents == null) {
            // Settings given by a test win; otherwise this context's environment (a test's HOME or
            // XDG_CACHE_HOME) over the process's PATH and the rest.
            CliSettings settings = cliSettings;
            if (settings == null) {
                Map<String, String> merged = new HashMap<>(System.getenv());
                merged.putAll(env);
                settings = CliSettings.defaults(merged);
            }
            // Commands that run no attempt (agents, doctor, plan) never choose a launcher: theirs is unconfined.
            Launcher l = launcher != null ? launcher : Launcher.unconfined();
            agents = AgentRegistry.withCliAgents(settings.withLauncher(l));
            agents.register(new BuiltinAgent(task -> models().model(task.model()), BuiltinSettings.DEFAULTS, l));
        }
        return agents;
    }

    @Override
    public synchronized void close() {
        if (models != null) models.close();
        if (availabilityChecks != null) availabilityChecks.close();
        ollamaTags.close();
        if (tracing != null) tracing.ifPresent(GatewayTracing::close); // sends the last spans
        if (ledger != null) ledger.close();
        if (store != null) store.close();
        if (emptyStore != null) emptyStore.close();
    }

    private static EnsembleConfig withCatalog(EnsembleConfig c, Catalog catalog, boolean localOnly) {
        return new EnsembleConfig(catalog, c.defaultModel(), localOnly, c.timeouts(), c.retry(), c.breaker(), c.store(), c.sources());
    }

    static Catalog merge(Catalog base, Catalog extra) {
        Map<String, ProviderSpec> providers = new LinkedHashMap<>(base.providers());
        providers.putAll(extra.providers());
        Map<String, ModelSpec> models = new LinkedHashMap<>(base.models());
        models.putAll(extra.models());
        Map<String, List<String>> aliases = new LinkedHashMap<>(base.aliases());
        aliases.putAll(extra.aliases());
        return new Catalog(providers, models, aliases);
    }

    private static Path gitTopLevel(Path dir) {
        try {
            // ensemble's hardened git (no global config, no hooks, no drivers, no keys in its environment).
            dev.ensemble.agents.workspace.Git.Result top = dev.ensemble.agents.workspace.Git.in(dir)
                    .withTimeout(java.time.Duration.ofSeconds(5)).exec("rev-parse", "--show-toplevel");
            String out = top.out();
            if (top.ok() && !out.isEmpty() && Files.isDirectory(Path.of(out))) return Path.of(out);
        } catch (dev.ensemble.agents.workspace.GitException e) {
            // No git on PATH: the working directory is the repository.
        }
        return dir;
    }
}
