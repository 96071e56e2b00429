package dev.ensemble.cli;

import dev.ensemble.agents.builtin.BuiltinAgent;
import dev.ensemble.agents.builtin.BuiltinSettings;
import dev.ensemble.agents.cli.AgentRegistry;
import dev.ensemble.agents.cli.CliSettings;
import dev.ensemble.agents.workspace.WorkspaceManager;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.core.config.EnsembleConfig;
import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.core.routing.Router;
import dev.ensemble.core.routing.RoutingSettings;
import dev.ensemble.engine.converse.RoleModels;
import dev.ensemble.engine.store.StoreEvidence;
import dev.ensemble.engine.store.LedgerSpend;
import dev.ensemble.engine.store.Ledger;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.BudgetGuard;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.SecretResolver;
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
    private Path repoRoot;
    private Catalog overlay;
    private EnsembleConfig config;
    private SecretResolver secrets;
    private Store store;
    private Ledger ledger;
    private ChatModels models;
    private RoleModels roleModels;
    private AgentRegistry agents;
    private Budget budget;
    private Boolean localOverride;
    private Clock clock = Clock.systemUTC();

    public AppContext(Terminal terminal, Path workingDir) {
        this(terminal, workingDir, null);
    }

    /** With a given configuration loader (tests, embedding); null means the standard layers. */
    public AppContext(Terminal terminal, Path workingDir, ConfigLoader configLoader) {
        this.terminal = terminal;
        this.workingDir = workingDir.toAbsolutePath().normalize();
        this.configLoader = configLoader;
    }

    public Terminal terminal() {
        return terminal;
    }

    /** The repository ensemble works in: the git top level above the working directory, else the working directory. */
    public synchronized Path repoRoot() {
        if (repoRoot == null) repoRoot = gitTopLevel(workingDir);
        return repoRoot;
    }

    public ConfigLoader configLoader() {
        return configLoader != null ? configLoader : ConfigLoader.standard(repoRoot());
    }

    /** The configuration; throws ConfigException (exit 2) when a layer is invalid. */
    public synchronized EnsembleConfig config() {
        if (config == null) {
            EnsembleConfig loaded = configLoader().load();
            EnsembleConfig c = overlay == null ? loaded : withCatalog(loaded, merge(loaded.catalog(), overlay), loaded.localOnly());
            config = localOverride == null ? c : withCatalog(c, c.catalog(), localOverride);
        }
        return config;
    }

    /**
     * {@code --local} (true) or {@code --no-local} (false) for this process: wins over
     * {@code local_only} in the configuration.
     */
    public synchronized void overrideLocalOnly(boolean localOnly) {
        if (Boolean.valueOf(localOnly).equals(localOverride)) return;
        this.localOverride = localOnly;
        this.config = null;
        dropModels();
        this.roleModels = null;
        this.agents = null;
    }

    /** The {@code budget:} section; throws ConfigException (exit 2) when it is invalid. */
    public synchronized Budget budget() {
        if (budget == null) budget = Budget.load(configLoader().section("budget"));
        return budget;
    }

    /** The clock budgets count days by (UTC). */
    public Clock clock() {
        return clock;
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
        this.config = null;
        dropModels();
        this.roleModels = null;
    }

    /** Forgets the models (the settings they were built from changed), stopping their HTTP clients. */
    private synchronized void dropModels() {
        if (models != null) models.close();
        models = null;
    }

    public synchronized SecretResolver secrets() {
        if (secrets == null) secrets = new SecretResolver();
        return secrets;
    }

    public synchronized Store store() {
        if (store == null) {
            if (Files.exists(repoRoot().resolve(".git"))) {
                try {
                    // The database (and later transcripts and reports) go under .ensemble/: never in the user's git status.
                    WorkspaceManager.excludeEnsembleFolder(repoRoot());
                } catch (RuntimeException e) {
                    terminal.err().println(terminal.yellow("ensemble: could not add .ensemble/ to .git/info/exclude: " + e.getMessage()));
                }
            }
            store = Store.open(config().store(), repoRoot(), ref -> secrets().resolve(ref)
                    .orElseThrow(() -> new IllegalStateException("store password " + ref + " cannot be resolved")));
        }
        return store;
    }

    public synchronized Ledger ledger() {
        if (ledger == null) ledger = new Ledger(store());
        return ledger;
    }

    public synchronized ChatModels models() {
        if (models == null) {
            EnsembleConfig c = config();
            // Every model call is checked against the budgets, with spending read from the ledger;
            // the one warning line goes to stderr so piped answers stay clean.
            BudgetGuard guard = new BudgetGuard(budget(), new LedgerSpend(ledger(), clock),
                    line -> terminal.err().println(terminal.yellow("ensemble: " + line)));
            models = new ChatModels(c.catalog(), c.timeouts(), c.retry(), c.breaker(), secrets(), ledger(),
                    Optional.of(guard), c.localOnly());
        }
        return models;
    }

    /**
     * Who plays each role (the {@code roles:} section, the router with this repository's evidence,
     * and the models): what chat, consensus, review and pipelines cast their parts from.
     */
    public synchronized RoleModels roleModels() {
        if (roleModels == null) {
            Catalog catalog = config().catalog();
            Router router = new Router(catalog.models().values(), RoutingSettings.load(configLoader().section("routing")),
                    new StoreEvidence(store()));
            roleModels = new RoleModels(Roles.load(configLoader().section("roles"), configLoader().locator()), models(), router);
        }
        return roleModels;
    }

    /** Every coding agent: the CLIs (found on PATH or in the install cache) and ensemble's builtin agent. */
    public synchronized AgentRegistry agents() {
        if (agents == null) {
            // The loader's environment (a test's HOME or XDG_CACHE_HOME) over the process's.
            Map<String, String> env = new HashMap<>(System.getenv());
            env.putAll(configLoader().environment());
            agents = AgentRegistry.withCliAgents(CliSettings.defaults(env));
            agents.register(new BuiltinAgent(task -> models().model(task.model()), BuiltinSettings.DEFAULTS));
        }
        return agents;
    }

    @Override
    public synchronized void close() {
        if (models != null) models.close();
        if (store != null) store.close();
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
            Process git = new ProcessBuilder("git", "rev-parse", "--show-toplevel").directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(git.getInputStream().readAllBytes()).trim();
            if (git.waitFor(5, TimeUnit.SECONDS) && git.exitValue() == 0 && !out.isEmpty() && Files.isDirectory(Path.of(out))) {
                return Path.of(out);
            }
        } catch (IOException e) {
            // No git on PATH: the working directory is the repository.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return dir;
    }
}
