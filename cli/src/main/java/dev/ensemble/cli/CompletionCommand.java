package dev.ensemble.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * `ensemble completion bash|zsh|fish`: a completion script generated from the command tree of this
 * build, so every command and option is in it without a list to keep up to date.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a shell completion script for bash, zsh or fish.",
                "The script is generated from this version's commands and options: write it again after an update. "
                        + "The bash script also works in zsh (through bashcompinit)."},
        footer = {"", "Install it once:",
                "  ensemble completion bash > ~/.ensemble-completion.bash",
                "  echo 'source ~/.ensemble-completion.bash' >> ~/.bashrc",
                "  ensemble completion zsh > ~/.ensemble-completion.zsh",
                "  echo 'source ~/.ensemble-completion.zsh' >> ~/.zshrc",
                "  ensemble completion fish > ~/.config/fish/completions/ensemble.fish"})
final class CompletionCommand implements Callable<Integer> {
    enum Shell { bash, zsh, fish }

    @ParentCommand Main main;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash, zsh or fish.")
    Shell shell;

    @Override
    public Integer call() {
        CommandSpec root = spec.parent();
        String script = switch (shell) {
            // picocli's script starts with the zsh set-up (bashcompinit) when zsh sources it.
            case bash, zsh -> AutoComplete.bash(root.name(), root.commandLine());
            case fish -> FishCompletion.script(root);
        };
        main.app().terminal().out().print(script);
        return ExitCodes.OK;
    }
}
