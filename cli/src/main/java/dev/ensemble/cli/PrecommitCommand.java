package dev.ensemble.cli;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.engine.converse.RoleModels;
import dev.ensemble.engine.review.Diff;
import dev.ensemble.engine.review.DiffSource;
import dev.ensemble.engine.review.ReviewReport;
import dev.ensemble.engine.review.Severity;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.ModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "precommit", mixinStandardHelpOptions = true,
        description = {"Review the staged changes; fail on HIGH or CRITICAL.",
                "Reviews with several models, as `ensemble review --staged` does. --install makes this git's pre-commit "
                        + "hook in this repository (.git/hooks/pre-commit); --uninstall removes it. The hook runs the "
                        + "ensemble launcher at the absolute path it was installed from, else `ensemble` on PATH; skip it "
                        + "once with `git commit --no-verify`."},
        footer = {"", "Exit status: 0 no finding above MEDIUM (or nothing staged, so `git commit --allow-empty` and "
                        + "message-only amends pass), 1 a HIGH or CRITICAL finding, or no reviewer could review (the commit "
                        + "is blocked), 2 bad input: not a git repository, an unknown model, a foreign hook in the way of "
                        + "--install (use --force), or --install where no reviewer can be called (the hook would block "
                        + "every commit)."})
final class PrecommitCommand implements Callable<Integer> {
    /** The line that marks a hook as ours: --uninstall removes, and --install overwrites, only a hook holding it. */
    static final String MARKER = "# ensemble-precommit-hook";

    @ParentCommand Main main;

    @ArgGroup(exclusive = true)
    Action action = new Action();

    static final class Action {
        @Option(names = "--install", description = "Install the pre-commit hook (again: rewritten in place).")
        boolean install;

        @Option(names = "--uninstall", description = "Remove the pre-commit hook, if it is ensemble's.")
        boolean uninstall;
    }

    @Option(names = "--force", description = "With --install: replace a pre-commit hook that is not ensemble's.")
    boolean force;

    @Option(names = "--models", split = ",", paramLabel = "M",
            description = "The reviewing models or aliases (default: the reviewer role, twice); with --install, recorded in the hook.")
    List<String> models = new ArrayList<>();

    @Option(names = "--json", description = "Print the report as JSON instead of Markdown.")
    boolean json;

    @Option(names = {"-y", "--yes"}, description = "Approve a worst-case cost above the approve_above_usd budget limit without asking (a hook has no console).")
    boolean yes;

    @Override
    public Integer call() {
        AppContext app = main.app();
        DiffSource git = ReviewCommand.source(app);
        if (action.install) return install(app, git.repo());
        if (action.uninstall) return uninstall(app, git.repo());
        Terminal term = app.terminal();
        Diff diff;
        try {
            diff = git.staged();
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        if (diff.isEmpty()) {
            term.err().println("ensemble precommit: nothing staged, nothing to review");
            return ExitCodes.OK;
        }
        ReviewReport report = ReviewCommand.review(app, diff, false, models, yes);
        ReviewCommand.print(app, report, json);
        if (report.allFailed()) {
            term.err().println(term.red("ensemble precommit: no reviewer could review the staged changes")
                    + " (commit blocked; skip the review with git commit --no-verify)");
            return ExitCodes.FAILED;
        }
        Optional<Severity> worst = report.worst();
        if (worst.isPresent() && worst.get().blocking()) {
            term.err().println(term.red("ensemble precommit: " + worst.get() + " finding")
                    + " (commit blocked; fix it, or skip the review with git commit --no-verify)");
            return ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }

    private int install(AppContext app, Path repo) {
        Path hook = hooksDir(repo).resolve("pre-commit");
        Terminal term = app.terminal();
        try {
            if (Files.exists(hook) && !ours(hook) && !force) {
                throw new UserInputException(hook + " exists and is not ensemble's hook; nothing changed "
                        + "(--force replaces it; or call `ensemble precommit` from it yourself)");
            }
            requireReviewer(app);
            Files.createDirectories(hook.getParent());
            Files.writeString(hook, script(launcher(), models), StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (UnsupportedOperationException e) {
                hook.toFile().setExecutable(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + hook, e);
        }
        term.out().println("installed " + hook);
        // The user's own git, global configuration included, on purpose: only a value is read, and it
        // is the setting their own `git commit` obeys. Nothing of it runs.
        Processes.Result hooksPath = Processes.run(List.of("git", "-C", repo.toString(), "config", "--get", "core.hooksPath"), Duration.ofSeconds(10));
        if (hooksPath.ok() && !hooksPath.firstLine().isBlank()) {
            term.err().println(term.yellow("ensemble: core.hooksPath is set to " + hooksPath.firstLine()
                    + ", so git does not run hooks from .git/hooks; call `ensemble precommit` from your hooks there"));
        }
        return ExitCodes.OK;
    }

    /**
     * A hook without a reviewer that can be called blocks every commit after a wait: refuse to
     * install one. With --models, at least one of them must be callable now (the others are named);
     * without, the reviewer role must be castable to a callable model.
     */
    private void requireReviewer(AppContext app) {
        List<String> why = new ArrayList<>();
        boolean usable = false;
        try {
            if (models.isEmpty()) {
                for (RoleModels.Cast cast : app.roleModels().castDistinct(Roles.REVIEWER, "review the staged changes", 1)) {
                    Preflight.usable(app, cast.chain(), "the reviewer");
                    usable = true;
                }
            } else {
                for (String name : models) {
                    List<ModelSpec> chain = ChatModels.servable(app.config().catalog(), name.strip(), app.config().localOnly());
                    try {
                        Preflight.usable(app, chain, name.strip());
                        usable = true;
                    } catch (ModelException e) {
                        why.add(e.getMessage());
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            if (!models.isEmpty()) throw new UserInputException("--models: " + e.getMessage());
            why.add(e.getMessage());
        } catch (ModelException e) {
            why.add(e.getMessage());
        }
        if (!usable) {
            throw new UserInputException("no reviewer can be called here, so the hook would block every commit; nothing was installed ("
                    + String.join("; ", why) + "). Make a model usable first (`ensemble doctor` shows what is missing: a provider key, "
                    + "or a local model pulled with Ollama) or name one with --models, then install again");
        }
        if (!why.isEmpty()) app.terminal().err().println(app.terminal().yellow("ensemble: not usable now: " + String.join("; ", why)));
    }

    private int uninstall(AppContext app, Path repo) {
        Path hook = hooksDir(repo).resolve("pre-commit");
        Terminal term = app.terminal();
        try {
            if (!Files.exists(hook)) {
                term.out().println("no pre-commit hook in " + hook.getParent() + "; nothing to remove");
                return ExitCodes.OK;
            }
            if (!ours(hook)) throw new UserInputException(hook + " is not ensemble's hook; left as it is");
            Files.delete(hook);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + hook, e);
        }
        term.out().println("removed " + hook);
        return ExitCodes.OK;
    }

    private static boolean ours(Path hook) throws IOException {
        return Files.isRegularFile(hook) && Files.readString(hook, StandardCharsets.ISO_8859_1).contains(MARKER);
    }

    /** The repository's own hooks folder (shared by its worktrees): {@code .git/hooks}. */
    private static Path hooksDir(Path repo) {
        dev.ensemble.agents.workspace.Git.Result common;
        try {
            common = dev.ensemble.agents.workspace.Git.in(repo).withTimeout(Duration.ofSeconds(10)).exec("rev-parse", "--git-common-dir");
        } catch (dev.ensemble.agents.workspace.GitException e) {
            throw new UserInputException(repo + " is not a git repository");
        }
        if (!common.ok()) throw new UserInputException(repo + " is not a git repository");
        Path dir = Path.of(common.out().lines().findFirst().orElse(""));
        return (dir.isAbsolute() ? dir : repo.resolve(dir)).normalize().resolve("hooks");
    }

    /**
     * The launcher to record in the hook: the {@code ensemble} script next to the jar this runs
     * from ({@code <root>/cli/target/ensemble.jar} → {@code <root>/ensemble}); empty when running
     * from elsewhere (classes in a build folder, a copied jar), and then the hook uses PATH.
     */
    static Optional<Path> launcher() {
        try {
            Path code = Path.of(PrecommitCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(code) || code.getParent() == null || code.getParent().getParent() == null) return Optional.empty();
            Path script = code.getParent().getParent().getParent().resolve("ensemble");
            return Files.isRegularFile(script) && Files.isExecutable(script) ? Optional.of(script.toAbsolutePath().normalize()) : Optional.empty();
        } catch (URISyntaxException | SecurityException | NullPointerException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The hook: the recorded launcher if it still exists, else ensemble on PATH, else a message and
     * a refusal. Whatever blocks the commit, the hook's last line says how to commit without the
     * review, since git itself does not.
     */
    static String script(Optional<Path> launcher, List<String> models) {
        String args = models.isEmpty() ? "" : " --models " + quote(String.join(",", models));
        return "#!/bin/sh\n"
                + MARKER + " (installed by `ensemble precommit --install`; remove with `ensemble precommit --uninstall`)\n"
                + "# Reviews the staged changes with several models; a HIGH or CRITICAL finding blocks the commit.\n"
                + "# Skip it once with: git commit --no-verify\n"
                + "launcher=" + quote(launcher.map(Path::toString).orElse("")) + "\n"
                + "review() {\n"
                + "  \"$@\"\n"
                + "  status=$?\n"
                + "  [ \"$status\" -eq 0 ] && exit 0\n"
                + "  echo \"ensemble pre-commit hook: commit blocked (ensemble precommit exited $status);"
                + " to commit without the review: git commit --no-verify\" >&2\n"
                + "  exit \"$status\"\n"
                + "}\n"
                + "if [ -n \"$launcher\" ] && [ -x \"$launcher\" ]; then review \"$launcher\" precommit" + args + "; fi\n"
                + "if command -v ensemble >/dev/null 2>&1; then review ensemble precommit" + args + "; fi\n"
                + "echo \"ensemble pre-commit hook: ensemble is not at ${launcher:-(none recorded)} nor on PATH;"
                + " commit with git commit --no-verify, or run: ensemble precommit --uninstall\" >&2\n"
                + "exit 1\n";
    }

    /** A single-quoted shell word. */
    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
