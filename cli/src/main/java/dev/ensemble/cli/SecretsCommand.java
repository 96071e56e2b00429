package dev.ensemble.cli;

import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.Redactor;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.config.ConfigException;
import dev.ensemble.llm.FileSecretStore;
import dev.ensemble.llm.SecretStore;
import dev.ensemble.llm.http.HttpTransport;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** `ensemble secrets set|list|rm`: provider keys kept where the configuration can reference them. */
@Command(name = "secrets", mixinStandardHelpOptions = true,
        description = {"Store, list and remove provider keys.",
                "Keys are kept where the configuration finds them: the macOS keychain (service ai-secrets) on macOS, "
                        + "pass (entries ensemble/NAME) where it is set up, else one 0600 file per key under "
                        + "$XDG_CONFIG_HOME/ensemble/secrets/ (or ~/.config/ensemble/secrets/). A reference env:NAME whose "
                        + "variable is unset reads the key stored as NAME, so `ensemble secrets set ANTHROPIC_API_KEY` is all "
                        + "the built-in anthropic provider needs. Values are never printed, logged or taken from the command line."},
        subcommands = {SecretsCommand.SetSecret.class, SecretsCommand.ListSecrets.class, SecretsCommand.RemoveSecret.class})
final class SecretsCommand implements Callable<Integer> {
    /** More than any API key; a pipe that brings more is not a key. */
    static final int MAX_VALUE_BYTES = 16 * 1024;

    @ParentCommand Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(main.app().terminal().out());
        return ExitCodes.OK;
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Store a key under NAME.",
                    "Replaces any stored before. At a terminal the value is asked for at a prompt that does not show it; "
                            + "otherwise it is read from standard input, e.g. "
                            + "`pass show anthropic | ensemble secrets set ANTHROPIC_API_KEY`. Never from an argument: one would "
                            + "stay in your shell history and show in `ps` to every user of the machine (exit 2)."})
    static final class SetSecret implements Callable<Integer> {
        @ParentCommand SecretsCommand parent;

        @Parameters(arity = "0..*", paramLabel = "NAME", description = "The key's name, as its environment variable is called: ANTHROPIC_API_KEY, OPENAI_API_KEY, ...")
        List<String> args = new ArrayList<>();

        /** Caught rather than rejected by picocli, whose error would repeat the argument: it may be the key. */
        @CommandLine.Unmatched
        List<String> unmatched = new ArrayList<>();

        @Override
        public Integer call() {
            AppContext app = parent.main.app();
            Terminal term = app.terminal();
            if (args.size() > 1 || !unmatched.isEmpty()) {
                // Whatever came after the name may be the key itself: mask it wherever it might surface.
                args.stream().skip(1).forEach(Redactor.global()::register);
                unmatched.forEach(Redactor.global()::register);
                throw new UserInputException("secrets set takes a NAME only, never the value: on the command line a key stays in "
                        + "your shell history and shows in `ps` to every user of this machine. Nothing was stored. Run "
                        + "`ensemble secrets set NAME` and paste the key at the prompt, or pipe it in: `... | ensemble secrets set NAME`");
            }
            if (args.isEmpty()) throw new UserInputException("name the key to store, e.g. `ensemble secrets set ANTHROPIC_API_KEY`");
            String name = validName(args.getFirst());
            SecretStore store = app.secretStore();
            String value = readValue(term, name);
            try {
                store.put(name, value);
            } catch (SecretStore.SecretStoreException e) {
                term.err().println(term.red("ensemble: ") + Redactor.global().redact(e.getMessage()));
                return ExitCodes.FAILED;
            }
            String mode = store instanceof FileSecretStore files ? ", mode " + files.mode(name) : "";
            term.out().println("stored " + name + " in " + store.where(name) + mode);
            List<String> users = usedBy(app, name);
            if (app.configLoader().environment().containsKey(name)) {
                term.err().println(term.yellow("note: ") + name + " is also set in your environment, and that value wins over the stored one");
            }
            if (users.isEmpty()) {
                term.err().println(term.dim("No provider references env:" + name + "; give one `api_key: \"env:" + name
                        + "\"` (or \"" + store.ref(name) + "\") to use it."));
            } else {
                term.err().println(term.dim("Used by " + String.join(", ", users) + " (env:" + name
                        + " falls back to it while the variable is unset). `ensemble doctor` shows the provider usable."));
            }
            return ExitCodes.OK;
        }

        /** The prompt's answer at a terminal, else standard input; trimmed, one line, and masked from here on. */
        private static String readValue(Terminal term, String name) {
            Optional<Console> console = term.console();
            String value;
            if (console.isPresent()) {
                char[] typed = console.get().readPassword("%s (input hidden): ", name);
                if (typed == null) throw new UserInputException("no value read (end of input); nothing was stored");
                value = new String(typed);
                Arrays.fill(typed, '\0');
            } else {
                value = readAll(term.in());
            }
            value = value.strip();
            Redactor.global().register(value);
            if (value.isEmpty()) {
                throw new UserInputException("no value for " + name + " on standard input; nothing was stored. Pipe the key in "
                        + "(`... | ensemble secrets set " + name + "`) or run the command at a terminal to be asked for it");
            }
            if (value.contains("\n") || value.contains("\r")) {
                throw new UserInputException("the value for " + name + " has more than one line, and a key is one; nothing was stored");
            }
            if (value.length() < 6) {
                throw new UserInputException("the value for " + name + " is under 6 characters, which is not a key; nothing was stored");
            }
            return value;
        }

        private static String readAll(InputStream in) {
            try {
                byte[] bytes = in.readNBytes(MAX_VALUE_BYTES + 1);
                if (bytes.length > MAX_VALUE_BYTES) {
                    throw new UserInputException("more than " + MAX_VALUE_BYTES / 1024 + " KiB on standard input is not a key; nothing was stored");
                }
                return new String(bytes, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UserInputException("cannot read standard input: " + e.getClass().getSimpleName() + "; nothing was stored");
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the stored keys' names.",
                    "Where each is kept and which providers use it. Never a value."})
    static final class ListSecrets implements Callable<Integer> {
        @ParentCommand SecretsCommand parent;

        @Option(names = "--json", description = "Print JSON: the store, and each key's name, location and users.")
        boolean json;

        @Override
        public Integer call() {
            AppContext app = parent.main.app();
            Terminal term = app.terminal();
            SecretStore store = app.secretStore();
            List<String> names;
            try {
                names = store.names();
            } catch (SecretStore.SecretStoreException e) {
                term.err().println(term.red("ensemble: ") + e.getMessage());
                return ExitCodes.FAILED;
            }
            if (json) {
                ObjectNode root = HttpTransport.JSON.createObjectNode();
                root.put("store", store.kind()).put("location", store.describe());
                ArrayNode secrets = root.putArray("secrets");
                for (String name : names) {
                    ObjectNode node = secrets.addObject().put("name", name).put("where", store.where(name))
                            .put("reference", store.ref(name).toString());
                    if (store instanceof FileSecretStore files) node.put("mode", files.mode(name));
                    node.put("environment_wins", app.configLoader().environment().containsKey(name));
                    ArrayNode users = node.putArray("used_by");
                    usedBy(app, name).forEach(users::add);
                }
                term.printJson(root);
                return ExitCodes.OK;
            }
            if (names.isEmpty()) {
                term.out().println("No keys stored in " + store.describe() + ".");
                term.err().println(term.dim("Store one with `ensemble secrets set ANTHROPIC_API_KEY` (or OPENAI_API_KEY, GEMINI_API_KEY, ...)."));
                return ExitCodes.OK;
            }
            Table table = new Table("name", "stored in", "used by");
            for (String name : names) {
                String where = store.where(name);
                if (store instanceof FileSecretStore files && !files.mode(name).isEmpty() && !files.mode(name).equals("0600")) {
                    where += term.yellow(" (mode " + files.mode(name) + ": readable by others; chmod 600 it)");
                }
                List<String> users = usedBy(app, name);
                String use = users.isEmpty() ? term.dim("no provider references env:" + name) : String.join(", ", users);
                if (app.configLoader().environment().containsKey(name)) use += term.yellow(" (the environment variable is set and wins)");
                table.row(name, where, use);
            }
            term.out().print(table.render());
            term.err().println(term.dim(names.size() + (names.size() == 1 ? " key" : " keys") + " in " + store.describe() + "."));
            return ExitCodes.OK;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove a stored key.")
    static final class RemoveSecret implements Callable<Integer> {
        @ParentCommand SecretsCommand parent;

        @Parameters(paramLabel = "NAME", description = "The key's name, as `ensemble secrets list` shows it.")
        String name;

        @Override
        public Integer call() {
            AppContext app = parent.main.app();
            SecretStore store = app.secretStore();
            String checked = validName(name);
            boolean removed;
            try {
                removed = store.remove(checked);
            } catch (SecretStore.SecretStoreException e) {
                app.terminal().err().println(app.terminal().red("ensemble: ") + e.getMessage());
                return ExitCodes.FAILED;
            }
            if (!removed) throw new UserInputException("no key " + checked + " in " + store.describe() + "; nothing was removed");
            app.terminal().out().println("removed " + checked + " from " + store.where(checked));
            return ExitCodes.OK;
        }
    }

    private static String validName(String name) {
        if (!SecretStore.validName(name)) {
            throw new UserInputException("'" + name + "' is not a key name: letters, digits and _, not starting with a digit "
                    + "(as an environment variable is named, e.g. ANTHROPIC_API_KEY)");
        }
        return name;
    }

    /** The providers whose key reference is env:NAME (or the store's own reference to NAME). */
    private static List<String> usedBy(AppContext app, String name) {
        List<String> users = new ArrayList<>();
        try {
            SecretRef own = app.secretStore().ref(name);
            for (ProviderSpec provider : app.loadedConfig().catalog().providers().values()) {
                Optional<SecretRef> key = provider.apiKey();
                if (key.isPresent() && (key.get().equals(new SecretRef.Env(name)) || key.get().equals(own))) users.add(provider.name());
            }
        } catch (ConfigException e) {
            // An invalid configuration is reported by the commands that use it; the key is stored all the same.
        }
        return users;
    }
}
