package dev.ensemble.cli;

import dev.ensemble.agents.workspace.GitException;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.config.ConfigException;
import dev.ensemble.llm.ModelException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `ensemble` command: a thin shell over engine and llm. */
@Command(name = "ensemble",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Many AI models and coding agents working as one team: the right AI for every task.",
        subcommands = {
            DemoCommand.class,
            DoctorCommand.class,
            ModelsCommand.class,
            AgentsCommand.class,
            ExecCommand.class,
            GoCommand.class,
            ResumeCommand.class,
            AskCommand.class,
            ChatCommand.class,
            ConsensusCommand.class,
            PipelineCommand.class,
            ReviewCommand.class,
            PrecommitCommand.class,
            PlanCommand.class,
            RunsCommand.class,
            ApprovalsCommand.class,
            DecideCommand.Approve.class,
            DecideCommand.Reject.class,
            ReportCommand.class,
            RouteCommand.class,
            UsageCommand.class,
            BudgetCommand.class,
            StatsCommand.class,
            MemoryCommand.class,
            ConfigCommand.class,
            SecretsCommand.class,
            GatewayCommand.class,
            ServeCommand.class,
            AttachCommand.class,
            CancelCommand.class,
            KeysCommand.class,
            ScriptedServerCommand.class,
            CompletionCommand.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:done",
            "1:the work failed, or a model call was refused because it could cross a budget (nothing was sent)",
            "2:bad input or configuration, or a cost above the approval threshold not approved (nothing was done)",
            "3:no usable model: no key, no local server answering, nothing pulled (nothing was sent)",
            "4:an agent claimed success but changed nothing",
            "130:interrupted"})
public final class Main implements Callable<Integer> {
    private final AppContext app;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--local", negatable = true, scope = CommandLine.ScopeType.LOCAL,
            description = "Only local models and local agents for this command, whatever local_only says in the configuration "
                    + "(--no-local: allow cloud models even when it says true).")
    Boolean local;

    Main(AppContext app) {
        this.app = app;
    }

    /** The context, with --local / --no-local applied: every subcommand reaches it through here. */
    AppContext app() {
        if (local != null) app.overrideLocalOnly(local);
        return app;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(app.terminal().out());
        return ExitCodes.OK;
    }

    public static void main(String[] args) {
        int code;
        try (AppContext app = new AppContext(Terminal.system(), Path.of(""))) {
            code = run(app, args);
        }
        System.exit(code);
    }

    /**
     * Commands that never read the user's configuration: help, the demo (its own built-in
     * configuration), the scripted server and shell completion. Every other command has the whole
     * configuration checked before it starts.
     */
    static final Set<String> WITHOUT_CONFIGURATION = Set.of("help", "demo", "scripted-server", "completion");

    /** Runs one command line against a context; the entry point for tests and the demo. */
    public static int run(AppContext app, String... args) {
        try {
            return commandLine(app, HelpLayout.forTerminal()).execute(args);
        } finally {
            app.terminal().release();
        }
    }

    /** The command tree with ensemble's output, error handling and help layout: what {@link #run} executes. */
    static CommandLine commandLine(AppContext app, HelpLayout help) {
        Main main = new Main(app);
        CommandLine cli = new CommandLine(main);
        cli.setHelpFactory(help);
        cli.setOut(new java.io.PrintWriter(app.terminal().out(), true));
        cli.setErr(new java.io.PrintWriter(app.terminal().err(), true));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> handle(app.terminal(), e));
        cli.setExecutionStrategy(parseResult -> {
            if (readsConfiguration(parseResult)) {
                // One validation of every layer and section before the command does anything, so
                // a bad budget: fails `ask` the way it fails `config check`: exit 2, nothing written or sent.
                try {
                    main.app().loadedConfig();  // the files alone: asking Ollama is for the commands that call models
                } catch (Exception e) {
                    return handle(app.terminal(), e);
                }
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        cli.setParameterExceptionHandler((e, a) -> {
            app.terminal().err().println("ensemble: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, app.terminal().err());
            app.terminal().err().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.BAD_INPUT;
        });
        return cli;
    }

    static boolean readsConfiguration(CommandLine.ParseResult parsed) {
        List<CommandLine> chain = parsed.asCommandLineList();
        if (chain.stream().anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested())) return false;
        // importing another tool's file reads only that file and the built-in catalog: a broken ensemble.yaml must not stop it
        if (chain.size() > 2 && chain.get(1).getCommandName().equals("config") && chain.get(2).getCommandName().equals("import")) {
            return false;
        }
        return chain.size() > 1 && !WITHOUT_CONFIGURATION.contains(chain.get(1).getCommandName());
    }

    private static int handle(Terminal terminal, Exception e) {
        Redactor redactor = Redactor.global();
        return switch (e) {
            case ConfigException c -> {
                terminal.err().println(terminal.red("ensemble: configuration error") + " (nothing was done):");
                c.errors().forEach(error -> terminal.err().println("  " + redactor.redact(error.toString())));
                yield ExitCodes.BAD_INPUT;
            }
            case UserInputException u -> {
                terminal.err().println("ensemble: " + redactor.redact(u.getMessage()));
                yield ExitCodes.BAD_INPUT;
            }
            case ModelException m -> ModelErrors.print(terminal, m);
            case GitException g -> {
                // Preconditions are checked before git is asked anything that can fail on bad input;
                // what remains is git itself failing, said as that and not as a Java exception.
                terminal.err().println(terminal.red("ensemble: git failed: ") + redactor.redact(String.valueOf(g.getMessage())));
                yield ExitCodes.FAILED;
            }
            default -> {
                terminal.err().println("ensemble: " + e.getClass().getSimpleName() + ": " + redactor.redact(String.valueOf(e.getMessage())));
                if (System.getenv("ENSEMBLE_DEBUG") != null) e.printStackTrace(terminal.err());
                yield ExitCodes.FAILED;
            }
        };
    }

    /** The version from the jar's manifest (set by Maven), so it never drifts from the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"ensemble " + (version == null ? "dev" : version)
                    + " (Java " + Runtime.version().feature() + ", " + System.getProperty("os.name") + ")"};
        }
    }
}
