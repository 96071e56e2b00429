package dev.ensemble.cli;

import dev.ensemble.agents.enforce.Glob;
import dev.ensemble.agents.workspace.Git;
import dev.ensemble.agents.workspace.GitException;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.plan.OwnedPaths;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.engine.plan.Planner;
import dev.ensemble.llm.BudgetGuard;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.ModelException;
import dev.ensemble.core.plan.Plan;
import dev.ensemble.core.plan.PlanLimits;
import dev.ensemble.core.plan.PlanParseException;
import dev.ensemble.core.plan.PlanParser;
import dev.ensemble.core.plan.PlanProblem;
import dev.ensemble.core.plan.PlanValidator;
import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/**
 * What {@code go}, {@code exec}, {@code plan} and {@code resume} check before they write or send
 * anything: a git repository (with a commit where worktrees start from one), arguments that mean
 * something, and a planner model that can be called, within the budgets and approved. A check that
 * fails is a {@link UserInputException} (exit 2) naming what to do, or for a model that cannot be
 * called at all a {@link ModelException} of kind {@code NO_USABLE_MODEL} (exit 3). Only after all
 * of them pass may a command open the store (which creates {@code .ensemble/} and edits
 * {@code .git/info/exclude}), record a run or call a model: a run is never left "planning"
 * because of something that could have been known before it started.
 */
final class Preflight {
    private Preflight() {}

    /** The top level of the git working tree ensemble was started in; commits are not needed (plan). */
    static Path repository(AppContext app) {
        Path dir = app.workingDir();
        Git.Result top;
        try {
            top = Git.in(dir).exec("rev-parse", "--show-toplevel");
        } catch (GitException e) {
            throw new UserInputException("cannot run git (" + e.getMessage() + "): ensemble needs git on PATH");
        }
        if (!top.ok()) {
            if (top.stderr().contains("must be run in a work tree")) {
                throw new UserInputException(dir + " is not inside a git working tree (a bare repository, or inside .git): "
                        + "cd into a checkout of your repository");
            }
            if (top.stderr().contains("not a git repository")) {
                throw new UserInputException("not a git repository: " + dir + " (ensemble works inside one: cd into your repository, "
                        + "or run `git init` there and make a first commit)");
            }
            // Anything else (e.g. "detected dubious ownership") is git's own reason, and its own advice.
            throw new UserInputException("git cannot use " + dir + ": " + top.stderr().strip().replace("\n", " "));
        }
        return app.repoRoot();
    }

    /** As {@link #repository}, with at least one commit: worktrees and run branches start from a commit. */
    static Path repositoryWithCommit(AppContext app) {
        Path repo = repository(app);
        if (!Git.in(repo).exec("rev-parse", "--verify", "--quiet", "HEAD^{commit}").ok()) {
            throw new UserInputException("no commits yet in " + repo + ": make a first commit (git add -A && git commit -m 'first commit'), "
                    + "since ensemble's worktrees and run branches start from one");
        }
        return repo;
    }

    /** The commit {@code ref} names, for {@code option} (e.g. {@code --base}). */
    static String commit(Path repo, String ref, String option) {
        if (ref == null || ref.isBlank()) throw new UserInputException(option + " is empty: give a branch, tag or commit");
        Git.Result commit = Git.in(repo).exec("rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}");
        if (!commit.ok()) {
            throw new UserInputException(option + ": unknown revision '" + ref + "' in " + repo + " (give a branch, tag or commit: "
                    + "see `git branch` and `git log --oneline`)");
        }
        return commit.out();
    }

    /**
     * What {@code go --apply} needs to merge the run branch into the user's branch at the end,
     * checked before planning: so a detached HEAD, uncommitted changes or a half-done merge are
     * said now, not after every task has run and been paid for.
     */
    static void applicable(Path repo) {
        Git git = Git.in(repo);
        if (!git.exec("symbolic-ref", "--quiet", "HEAD").ok()) {
            String at = git.exec("rev-parse", "--short", "HEAD").out();
            throw new UserInputException("--apply merges into your branch, but HEAD is detached (at " + at + "): "
                    + "`git switch <branch>` first, or leave out --apply and `git merge` the run branch where you want it");
        }
        for (String[] state : new String[][] {{"MERGE_HEAD", "a merge"}, {"CHERRY_PICK_HEAD", "a cherry-pick"},
                {"REVERT_HEAD", "a revert"}, {"rebase-merge", "a rebase"}, {"rebase-apply", "a rebase or `git am`"}}) {
            Path marker = gitPath(git, state[0]);
            if (Files.exists(marker)) {
                throw new UserInputException("--apply: " + state[1] + " is in progress in " + repo
                        + ": finish it or abort it first (see `git status`), then run again");
            }
        }
        String dirty = git.exec("status", "--porcelain", "--untracked-files=no").out();
        if (!dirty.isBlank()) {
            long files = dirty.lines().count();
            throw new UserInputException("--apply: your working tree has uncommitted changes (" + files + (files == 1 ? " file" : " files")
                    + "): commit or stash them first (`git status` shows them), or leave out --apply");
        }
    }

    private static Path gitPath(Git git, String name) {
        Path path = Path.of(git.exec("rev-parse", "--git-path", name).out());
        return path.isAbsolute() ? path : git.workDir().resolve(path);
    }

    /** {@code text} unless it is blank; then {@code why} as bad input. */
    static String notBlank(String text, String why) {
        if (text == null || text.isBlank()) throw new UserInputException(why);
        return text;
    }

    /**
     * {@code --owns} patterns a task may change, each inside the repository and a glob the
     * enforcer can compile; {@code **} (the whole repository) when none is given.
     */
    static List<String> owned(List<String> patterns) {
        if (patterns.isEmpty()) return List.of("**");
        List<String> owned = new ArrayList<>();
        for (String pattern : patterns) {
            OwnedPaths.problem(pattern).ifPresent(why -> {
                throw new UserInputException("--owns: " + why);
            });
            try {
                Glob.of(pattern);
            } catch (PatternSyntaxException e) {
                throw new UserInputException("--owns: '" + pattern + "' is not a valid glob: " + e.getDescription());
            } catch (IllegalArgumentException e) {
                throw new UserInputException("--owns: " + e.getMessage());
            }
            owned.add(pattern.strip());
        }
        return List.copyOf(owned);
    }

    /**
     * The planner for {@code request}, ready to be called: its model or alias known, at least one
     * model of it callable now (key set, local model pulled), the first call within the budgets and
     * approved when its worst case is above {@code budget.approve_above_usd}.
     *
     * @param modelName a model or alias, or null; @param aliasName an alias, or null (see {@link Planning#prepare})
     */
    static Planning planner(AppContext app, String modelName, String aliasName, String request, boolean yes) {
        Planning planning = Planning.prepare(app, modelName, aliasName);
        ModelSpec first = usable(app, planning.chain(), "the planner");
        ChatRequest call = Planner.firstRequest(planning.planner(), request, planning.pack());
        // A budget the call would cross is said here, with nothing recorded yet (the same refusal the call would get).
        app.models().guard().ifPresent(guard -> guard.check(first, call));
        planning.approve(app, request, yes);
        return planning;
    }

    /**
     * A plan from {@code --plan FILE}, read and validated before anything is written: a regular
     * file of at most {@link PlanLimits#maxBytes()} bytes, strict UTF-8, parsed and validated as a
     * planner's answer is (safe task ids, known roles, agents and models).
     *
     * @param request the request given on the command line, or null for the file's own
     */
    static Plan planFile(AppContext app, Path file, String request) {
        PlanValidator validator = Planning.validator(app, roles(app));
        PlanLimits limits = validator.limits();
        String where = "--plan " + file;
        if (!Files.exists(file)) throw new UserInputException("--plan: no such file: " + file);
        if (!Files.isRegularFile(file)) throw new UserInputException(where + " is not a regular file (a plan is a JSON file, as `ensemble plan --json` prints it)");
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            // Read one byte past the limit, never the whole of a file that grows or lies about its size.
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxBytes() + 1));
        } catch (IOException e) {
            throw new UserInputException(where + ": cannot read it: " + e.getMessage());
        }
        if (bytes.length > limits.maxBytes()) throw new UserInputException(where + ": " + limits.bytesProblem(bytes.length, true));
        String text = utf8(bytes).orElseThrow(() -> new UserInputException(where + " is not UTF-8 text (invalid byte at offset "
                + invalidAt(bytes) + "): save the plan as UTF-8"));
        Plan plan;
        String req = request;
        if (req == null) {
            try {
                req = HttpTransport.JSON.readTree(text).path("request").asString("");
            } catch (RuntimeException e) {
                req = "";  // not JSON: the parser says where
            }
        }
        try {
            plan = PlanParser.parse(req, text, limits);
        } catch (PlanParseException e) {
            throw new UserInputException(listed(where + " is not a plan", e.problems()));
        } catch (RuntimeException e) {
            throw new UserInputException(where + ": not a plan: " + e.getMessage());
        }
        List<PlanProblem> problems = validator.validate(plan);
        if (!problems.isEmpty()) throw new UserInputException(listed(where + " is not valid", problems));
        return plan;
    }

    /** One problem on the headline's line (the first line of the error says it all), several below it. */
    private static String listed(String headline, List<PlanProblem> problems) {
        if (problems.size() == 1) return headline + ": " + problems.getFirst();
        return headline + ":\n  " + String.join("\n  ", problems.stream().map(Object::toString).toList());
    }

    private static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** The offset of the first byte that is not valid UTF-8. */
    private static int invalidAt(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) return in.position();
            if (result.isUnderflow()) return bytes.length;
            out.clear();
        }
    }

    /** The roles a plan file's tasks may name, as configured. */
    static Roles roles(AppContext app) {
        return Roles.load(app.configLoader().section("roles"), app.configLoader().locator());
    }

    /**
     * The first model of {@code chain} that can be called now.
     *
     * @throws ModelException of kind NO_USABLE_MODEL, with each model's reason, when none can
     */
    static ModelSpec usable(AppContext app, List<ModelSpec> chain, String who) {
        // Said as every command says it (one paragraph, then the next step), not in words of its own.
        Optional<ModelException> none = app.usability().noneUsable(null, chain, true);
        if (none.isPresent()) throw none.get();
        return chain.stream().filter(m -> app.models().availability(m).usable()).findFirst().orElse(chain.getFirst());
    }
}
