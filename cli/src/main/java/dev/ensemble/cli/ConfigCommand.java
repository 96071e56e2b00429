package dev.ensemble.cli;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.config.EnsembleConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Check or show the configuration.",
                "Layers, each overriding the one before: the built-in catalog, ~/.config/ensemble/config.yaml (or "
                        + "$XDG_CONFIG_HOME/ensemble/config.yaml), the repository's ensemble.yaml, ENSEMBLE_* variables."},
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Show.class, ConfigImportCommand.class})
final class ConfigCommand implements Callable<Integer> {
    @ParentCommand Main main;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(main.app().terminal().out());
        return ExitCodes.OK;
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Validate every configuration layer.", "Errors name file, line and key (exit 2)."})
    static final class Check implements Callable<Integer> {
        @ParentCommand ConfigCommand parent;

        @Override
        public Integer call() {
            AppContext app = parent.main.app();
            EnsembleConfig config = app.loadedConfig();  // the files alone: no Ollama is asked
            Terminal term = app.terminal();
            term.out().println(term.green("configuration is valid") + ": " + config.catalog().models().size() + " models, "
                    + config.catalog().providers().size() + " providers, " + config.catalog().aliases().size() + " aliases");
            for (String source : config.sources()) term.out().println("  read " + source);
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Print the effective configuration as YAML.",
                    "Keys appear only as references (env:, file:, keychain:, pass:), never as values."})
    static final class Show implements Callable<Integer> {
        @ParentCommand ConfigCommand parent;

        @Override
        public Integer call() {
            AppContext app = parent.main.app();
            app.loadedConfig();  // validate first: never print a configuration that would not load
            app.terminal().out().print(Redactor.global().redact(app.configLoader().effectiveYaml()));
            return ExitCodes.OK;
        }
    }
}
