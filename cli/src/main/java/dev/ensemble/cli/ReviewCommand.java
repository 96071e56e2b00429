package dev.ensemble.cli;

import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.engine.converse.RoleModels;
import dev.ensemble.engine.review.Diff;
import dev.ensemble.engine.review.DiffSource;
import dev.ensemble.engine.review.MultiModelReview;
import dev.ensemble.engine.review.ReviewReport;
import dev.ensemble.llm.BudgetGuard;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.ChatRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "review", mixinStandardHelpOptions = true,
        description = {"Review a change with several models at once.",
                "The models review the same change in parallel; findings about the same place are merged. Without "
                        + "--models, the reviewer role is cast twice, with models of different families where two are "
                        + "usable. A diff too large for a model's context window is cut along file and hunk boundaries, "
                        + "one request per part."},
        footer = {"", "Sources: --diff REF reviews the changes of the working tree and index since REF (default: HEAD, "
                        + "that is uncommitted changes; untracked files are not part of a diff), --staged what is staged, "
                        + "--files GLOB whole files (a git glob such as 'src/**/*.java').",
                "", "Exit status: 0 reviewed (whatever was found), 1 no reviewer could review (every model failed), "
                        + "2 bad input: not a git repository, an unknown revision, nothing to review, an unknown model."})
final class ReviewCommand implements Callable<Integer> {
    /** How many reviewers of different families to cast when none is named. */
    static final int DEFAULT_REVIEWERS = 2;

    @ParentCommand Main main;

    @ArgGroup(exclusive = true)
    Source source = new Source();

    static final class Source {
        @Option(names = "--diff", paramLabel = "REF", description = "Review the changes since REF (a commit, branch or tag; default HEAD).")
        String ref;

        @Option(names = "--staged", description = "Review the staged changes (what the next commit holds).")
        boolean staged;

        @Option(names = "--files", paramLabel = "GLOB", description = "Review whole files matching GLOB, not a diff.")
        String glob;
    }

    @Option(names = "--models", split = ",", paramLabel = "M", description = "The reviewing models or aliases, comma-separated (default: the reviewer role, twice).")
    List<String> models = new ArrayList<>();

    @Option(names = "--json", description = "Print the report as one JSON object instead of Markdown.")
    boolean json;

    @Option(names = {"-y", "--yes"}, description = "Approve a worst-case cost above the approve_above_usd budget limit without asking.")
    boolean yes;

    @Override
    public Integer call() {
        AppContext app = main.app();
        DiffSource git = source(app);
        Diff diff;
        try {
            diff = source.glob != null ? git.files(source.glob) : source.staged ? git.staged()
                    : git.since(source.ref == null ? "HEAD" : source.ref);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        if (diff.isEmpty()) {
            throw new UserInputException("nothing to review: " + (source.glob != null ? "no text file matches " + source.glob
                    : "no " + diff.description() + " (see --diff REF, --staged, --files GLOB)"));
        }
        ReviewReport report = review(app, diff, source.glob != null, models, yes);
        print(app, report, json);
        return report.allFailed() ? ExitCodes.FAILED : ExitCodes.OK;
    }

    static DiffSource source(AppContext app) {
        try {
            return DiffSource.in(app.repoRoot());
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
    }

    static void print(AppContext app, ReviewReport report, boolean json) {
        app.terminal().out().print(json ? report.jsonText() + "\n" : report.markdown());
        app.terminal().out().flush();
    }

    /**
     * Casts the reviewers, forecasts the cost (asking for approval above the threshold), and runs
     * the review; shared with `ensemble precommit`.
     */
    static ReviewReport review(AppContext app, Diff diff, boolean wholeFiles, List<String> names, boolean yes) {
        String scope = wholeFiles ? "whole files (every line is shown as added)" : "changes (a unified diff)";
        List<MultiModelReview.Reviewer> reviewers = reviewers(app, diff, names);
        MultiModelReview review = new MultiModelReview(reviewers);
        List<MultiModelReview.ReviewerPlan> plans = review.plan(diff, scope);
        double worst = 0;
        for (MultiModelReview.ReviewerPlan plan : plans) {
            for (ChatRequest request : plan.requests()) {
                worst += plan.reviewer().chain().stream().mapToDouble(m -> BudgetGuard.worstCaseUsd(m, request)).max().orElse(0);
            }
        }
        Approval.require(app, "this review", worst, yes);
        Terminal term = app.terminal();
        int parts = plans.stream().mapToInt(p -> p.chunks().size()).max().orElse(0);
        term.err().println(term.dim("reviewing " + diff.description() + " (" + diff.files().size() + " files"
                + (parts > 1 ? ", up to " + parts + " parts" : "") + ") with "
                + String.join(", ", reviewers.stream().map(MultiModelReview.Reviewer::name).toList())));
        return review.run(diff, plans);
    }

    private static List<MultiModelReview.Reviewer> reviewers(AppContext app, Diff diff, List<String> names) {
        // The router weighs the task's size and wording; the diff is cut to each window later, so a
        // head of it is enough and keeps a huge diff from ruling every model out.
        String text = diff.text();
        String task = "review: " + (text.length() > 8_000 ? text.substring(0, 8_000) : text);
        List<RoleModels.Cast> casts = new ArrayList<>();
        try {
            // Checked from the configuration alone, so a typo opens no store and is bad input (2), not "no model" (3).
            for (String name : names) {
                if (!name.isBlank()) ChatModels.servable(app.config().catalog(), name.strip(), app.config().localOnly());
            }
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        ModelErrors.requireAnyUsable(app);
        try {
            if (names.isEmpty()) {
                casts.addAll(app.roleModels().castDistinct(Roles.REVIEWER, task, DEFAULT_REVIEWERS));
            } else {
                for (String name : new LinkedHashSet<>(names)) {
                    String trimmed = name.strip();
                    if (trimmed.isEmpty()) continue;
                    casts.add(app.roleModels().cast(Roles.REVIEWER, task, Optional.of(trimmed)));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        if (casts.isEmpty()) throw new UserInputException("--models names no model");
        List<MultiModelReview.Reviewer> reviewers = new ArrayList<>();
        for (RoleModels.Cast cast : casts) {
            List<ModelSpec> chain = cast.chain();
            reviewers.add(new MultiModelReview.Reviewer(cast.model(), chain, cast.role().systemPrompt(), cast.role().maxOutputTokens()));
        }
        return reviewers;
    }
}
