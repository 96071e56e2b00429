package dev.ensemble.cli;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.Redactor;
import dev.ensemble.gateway.keys.BudgetPeriod;
import dev.ensemble.gateway.keys.KeyBudget;
import dev.ensemble.gateway.keys.KeyStore;
import dev.ensemble.gateway.keys.KeyStoreException;
import dev.ensemble.gateway.keys.NewKey;
import dev.ensemble.gateway.keys.VirtualKey;
import dev.ensemble.llm.http.HttpTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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

/** `ensemble keys create|list|revoke`: the gateway's virtual keys. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Make, list and revoke the gateway's virtual keys.",
                "A virtual key lets a client (an SDK, an IDE, a coding CLI) call models through `ensemble gateway` with a "
                        + "budget, a list of models, a rate limit and an expiry of its own. Its secret (ens-vk-...) is shown once, "
                        + "when it is made; only its SHA-256 hash is kept, in $XDG_DATA_HOME/ensemble/keys.db "
                        + "(or ~/.local/share/ensemble/keys.db, mode 0600). The ledger names a key by its public id (key-...)."},
        subcommands = {KeysCommand.CreateKey.class, KeysCommand.ListKeys.class, KeysCommand.RevokeKey.class})
final class KeysCommand implements Callable<Integer> {
    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    @ParentCommand Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(main.app().terminal().out());
        return ExitCodes.OK;
    }

    static Path file(AppContext app) {
        return KeyStore.defaultFile(app.userDirs());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Make a virtual key and print its secret once.",
                    "The secret goes to standard output alone (`KEY=$(ensemble keys create ci)`), what the key may do to "
                            + "standard error. It is not stored and cannot be shown again: a lost secret means a new key. A request "
                            + "whose worst-case cost could cross the key's budget is refused with 429 "
                            + "(\"key budget: $0.03 left of $5.00 per day\"), as is one over --rpm; a model outside --models with 403."})
    static final class CreateKey implements Callable<Integer> {
        @ParentCommand KeysCommand parent;

        @Parameters(paramLabel = "NAME", description = "What the key is for: 1 to 64 letters, digits, '.', '_' or '-' (ci-bot, alice-laptop).")
        String name;

        @Option(names = "--budget-usd", paramLabel = "USD", description = "The most the key may spend per --per period.")
        Double budgetUsd;

        @Option(names = "--per", paramLabel = "PERIOD",
                description = "What the budget counts over: day (UTC; the default), month (UTC), run (one gateway's life) or total.")
        String per;

        @Option(names = "--models", paramLabel = "M,...", split = ",",
                description = "The only models it may call: catalog models or aliases (an alias allows its whole chain). Default: any.")
        List<String> models = new ArrayList<>();

        @Option(names = "--rpm", paramLabel = "N", description = "At most N requests a minute (a sliding minute). Default: no limit.")
        Integer rpm;

        @Option(names = "--expires", paramLabel = "WHEN",
                description = "When it stops working: after 90m, 12h, 30d or 2w, after a date (2027-01-31: it works through "
                        + "that UTC day) or at an ISO instant with a zone. Default: never.")
        String expires;

        @Option(names = "--json", description = "Print JSON (the secret included) on standard output.")
        boolean json;

        @Override
        public Integer call() {
            AppContext app = parent.main.app();
            Terminal term = app.terminal();
            Optional<KeyBudget> budget = budget();
            if (rpm != null && rpm <= 0) throw new UserInputException("--rpm must be a positive number of requests a minute, got " + rpm);
            List<String> allowed = models.stream().map(String::strip).filter(m -> !m.isEmpty()).distinct().toList();
            if (!models.isEmpty() && allowed.isEmpty()) throw new UserInputException("--models names no model; leave it out to allow any");
            checkModels(app, allowed);
            Optional<Instant> expiresAt = expires == null ? Optional.empty() : Optional.of(KeyExpiry.parse(expires, app.clock().instant()));
            NewKey made;
            try (KeyStore store = KeyStore.open(file(app), app.clock())) {
                made = store.create(name, budget, allowed, rpm == null ? 0 : rpm, expiresAt);
            } catch (IllegalArgumentException e) {
                throw new UserInputException(e.getMessage() + "; nothing was made");
            } catch (KeyStoreException e) {
                term.err().println(term.red("ensemble: ") + e.getMessage());
                return ExitCodes.FAILED;
            }
            VirtualKey key = made.key();
            if (json) {
                ObjectNode root = describe(key, Optional.empty());
                root.put("secret", made.secret());
                term.printJson(root);
            } else {
                term.out().println(made.secret());
            }
            // Printed once, above; masked from anything else this process might print.
            Redactor.global().register(made.secret());
            term.err().println("made key " + key.name() + " (" + key.id() + "): " + limits(key) + ".");
            term.err().println(term.dim("The secret above is shown only now; ensemble keeps its SHA-256 hash in " + file(app)
                    + ". Send it as `Authorization: Bearer …`, `x-api-key` or `x-goog-api-key` to `ensemble gateway`."));
            return ExitCodes.OK;
        }

        private Optional<KeyBudget> budget() {
            if (budgetUsd == null) {
                if (per != null) throw new UserInputException("--per needs --budget-usd: say how much the key may spend per " + per);
                return Optional.empty();
            }
            if (!(budgetUsd > 0) || budgetUsd.isInfinite()) {
                throw new UserInputException("--budget-usd must be a positive amount of USD, got " + budgetUsd);
            }
            try {
                return Optional.of(new KeyBudget(budgetUsd, per == null ? BudgetPeriod.DAY : BudgetPeriod.parse(per)));
            } catch (IllegalArgumentException e) {
                throw new UserInputException("--per: " + e.getMessage());
            }
        }

        /** Every name must be a catalog model or alias: from the files first, Ollama's list only for a name they lack. */
        private static void checkModels(AppContext app, List<String> names) {
            if (names.isEmpty()) return;
            List<String> unknown = names.stream().filter(n -> !known(app.loadedConfig().catalog(), n)).toList();
            if (!unknown.isEmpty()) unknown = unknown.stream().filter(n -> !known(app.config().catalog(), n)).toList();
            if (!unknown.isEmpty()) {
                throw new UserInputException("--models: unknown model or alias " + String.join(", ", unknown)
                        + " (`ensemble models` lists them); nothing was made");
            }
        }

        private static boolean known(Catalog catalog, String name) {
            return catalog.model(name).isPresent() || catalog.isAlias(name);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the virtual keys and what each has spent.",
                    "Revoked and expired keys too, with their state. Never a secret: a key is named by its name and public id."})
    static final class ListKeys implements Callable<Integer> {
        @ParentCommand KeysCommand parent;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            AppContext app = parent.main.app();
            Terminal term = app.terminal();
            Path file = file(app);
            List<VirtualKey> keys = new ArrayList<>();
            List<double[]> spent = new ArrayList<>();
            Instant now = app.clock().instant();
            // Listing makes nothing: no key file yet simply means no keys.
            if (Files.exists(file)) {
                try (KeyStore store = KeyStore.open(file, app.clock())) {
                    for (VirtualKey key : store.list()) {
                        keys.add(key);
                        double total = store.spent(key.id(), BudgetPeriod.TOTAL.bucket(now, ""));
                        double period = key.budget().map(b -> b.period() == BudgetPeriod.RUN ? total
                                : store.spent(key.id(), b.period().bucket(now, ""))).orElse(total);
                        spent.add(new double[] {period, total});
                    }
                } catch (KeyStoreException e) {
                    term.err().println(term.red("ensemble: ") + e.getMessage());
                    return ExitCodes.FAILED;
                }
            }
            if (json) {
                ObjectNode root = HttpTransport.JSON.createObjectNode();
                root.put("file", file.toString());
                ArrayNode array = root.putArray("keys");
                for (int i = 0; i < keys.size(); i++) array.add(describe(keys.get(i), Optional.of(spent.get(i))).put("status", status(keys.get(i), now)));
                term.printJson(root);
                return ExitCodes.OK;
            }
            if (keys.isEmpty()) {
                term.out().println("No virtual keys in " + file + ".");
                term.err().println(term.dim("Make one with `ensemble keys create NAME [--budget-usd 5 --per day] [--models a,b] [--rpm 60] [--expires 30d]`."));
                return ExitCodes.OK;
            }
            Table table = new Table("id", "name", "state", "budget", "spent", "models", "rpm", "expires", "created").alignRight(4, 6);
            for (int i = 0; i < keys.size(); i++) {
                VirtualKey key = keys.get(i);
                double[] s = spent.get(i);
                String budget = key.budget().map(b -> Format.usd(b.usd()) + " " + b.period().phrase()).orElse("-");
                String spentText = key.budget().isPresent() && key.budget().get().period() != BudgetPeriod.TOTAL
                        && key.budget().get().period() != BudgetPeriod.RUN
                        ? Format.usd(s[0]) + " (" + Format.usd(s[1]) + " in total)" : Format.usd(s[1]);
                String state = status(key, now);
                table.row(key.id(), key.name(), state.equals("active") ? state : term.yellow(state), budget, spentText,
                        key.models().isEmpty() ? "any" : String.join(",", key.models()), key.rpm() == 0 ? "-" : key.rpm(),
                        key.expiresAt().map(WHEN::format).orElse("never"), WHEN.format(key.createdAt()));
            }
            term.out().print(table.render());
            term.err().println(term.dim(keys.size() + (keys.size() == 1 ? " key" : " keys") + " in " + file + " (times UTC)."));
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke a virtual key at once.",
                    "By name or public id. The next request that presents it is refused with 401, by every gateway using this "
                            + "key file; its ledger rows and spending stay."})
    static final class RevokeKey implements Callable<Integer> {
        @ParentCommand KeysCommand parent;

        @Parameters(paramLabel = "NAME|ID", description = "The key's name or id, as `ensemble keys list` shows them.")
        String which;

        @Override
        public Integer call() {
            AppContext app = parent.main.app();
            Terminal term = app.terminal();
            Path file = file(app);
            if (!Files.exists(file)) {
                throw new UserInputException("no key named " + which + ": no key was ever made here (" + file + "); nothing was revoked");
            }
            try (KeyStore store = KeyStore.open(file, app.clock())) {
                VirtualKey key = store.revoke(which);
                term.out().println("revoked key " + key.label() + "; requests that present it are refused from now on");
                return ExitCodes.OK;
            } catch (IllegalArgumentException e) {
                throw new UserInputException(e.getMessage() + "; nothing was revoked");
            } catch (KeyStoreException e) {
                term.err().println(term.red("ensemble: ") + e.getMessage());
                return ExitCodes.FAILED;
            }
        }
    }

    /** "$5.00 per day, models gpt-5, coding, 60 requests a minute, expires 2026-12-21 10:00 UTC". */
    static String limits(VirtualKey key) {
        List<String> parts = new ArrayList<>();
        parts.add(key.budget().map(b -> Format.usd(b.usd()) + " " + b.period().phrase()).orElse("no budget of its own"));
        parts.add(key.models().isEmpty() ? "any model" : "models " + String.join(", ", key.models()));
        if (key.rpm() > 0) parts.add(key.rpm() + " requests a minute");
        parts.add(key.expiresAt().map(at -> "expires " + WHEN.format(at) + " UTC").orElse("never expires"));
        return String.join(", ", parts);
    }

    static String status(VirtualKey key, Instant now) {
        return switch (key.status(now)) {
            case ACTIVE -> "active";
            case EXPIRED -> "expired";
            case REVOKED -> "revoked";
        };
    }

    /** A key as JSON, never with its secret; {@code spent} is {period, total} where known. */
    static ObjectNode describe(VirtualKey key, Optional<double[]> spent) {
        ObjectNode node = HttpTransport.JSON.createObjectNode();
        node.put("id", key.id()).put("name", key.name());
        key.budget().ifPresentOrElse(b -> node.put("budget_usd", b.usd()).put("per", b.period().word()),
                () -> node.putNull("budget_usd").putNull("per"));
        ArrayNode models = node.putArray("models");
        key.models().forEach(models::add);
        if (key.rpm() > 0) node.put("rpm", key.rpm()); else node.putNull("rpm");
        node.put("created_at", key.createdAt().toString());
        key.expiresAt().ifPresentOrElse(at -> node.put("expires_at", at.toString()), () -> node.putNull("expires_at"));
        key.revokedAt().ifPresentOrElse(at -> node.put("revoked_at", at.toString()), () -> node.putNull("revoked_at"));
        spent.ifPresent(s -> node.put("spent_period_usd", s[0]).put("spent_total_usd", s[1]));
        return node;
    }
}
