package dev.ensemble.cli;

import dev.ensemble.core.Usage;
import dev.ensemble.core.config.Durations;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.engine.converse.ChatListener;
import dev.ensemble.engine.converse.ChatOutcome;
import dev.ensemble.engine.converse.ChatSettings;
import dev.ensemble.engine.converse.ChatTranscript;
import dev.ensemble.engine.converse.ChatTurn;
import dev.ensemble.engine.converse.DuoChat;
import dev.ensemble.engine.converse.RoleModels;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.FailedAttempt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Let an implementer and a reviewer take turns on a task.",
                "The implementer writes, the reviewer critiques, in turn, until the reviewer answers with the stop token "
                        + "or the rounds run out. Each turn is streamed as it arrives; the transcript goes to "
                        + ".ensemble/sessions/<timestamp>-chat.json. The models see only each other's messages: no tools, "
                        + "no files.",
                "Exit 0 when the chat ended (approved, round limit, or a turn timed out), 1 when a turn failed, 2 bad input."})
final class ChatCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(index = "0", paramLabel = "TASK", description = "What the implementer should do; '-' reads it from standard input.")
    String task;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "Most rounds; a round is one implementer turn and one reviewer turn (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--implementer", paramLabel = "M", description = "The implementer's model or alias (default: the role's, else routed).")
    String implementerModel;

    @Option(names = "--reviewer", paramLabel = "M",
            description = "The reviewer's model or alias (default: the role's, else routed, from another family than the implementer where possible).")
    String reviewerModel;

    @Option(names = "--implementer-role", paramLabel = "R", defaultValue = Roles.IMPLEMENTER,
            description = "The role that writes (default: ${DEFAULT-VALUE}); any role of the roles: section.")
    String implementerRole;

    @Option(names = "--reviewer-role", paramLabel = "R", defaultValue = Roles.REVIEWER,
            description = "The role that reviews (default: ${DEFAULT-VALUE}).")
    String reviewerRole;

    @Option(names = "--stop-token", paramLabel = "T", defaultValue = ChatSettings.DEFAULT_STOP_TOKEN,
            description = "What the reviewer writes on a line of its own when satisfied (default: ${DEFAULT-VALUE}).")
    String stopToken;

    @Option(names = "--turn-timeout", paramLabel = "D", defaultValue = "30s",
            description = "Longest wait for one turn; past it the turn is recorded as timed out and the chat ends (default: ${DEFAULT-VALUE}).")
    String turnTimeout;

    @Option(names = "--json", description = "Print the transcript as JSON instead of streaming the turns.")
    boolean json;

    @Option(names = "--local", description = "Only local models (as `ensemble --local chat`).")
    boolean local;

    @Override
    public Integer call() throws IOException {
        AppContext app = main.app();
        if (local) app.overrideLocalOnly(true);
        Terminal term = app.terminal();
        String text = Inputs.argOrStdin(task);
        if (text.isBlank()) throw new UserInputException("the task is empty");
        ChatSettings settings = settings();
        Path repo = app.repoRoot();
        if (!Files.exists(repo.resolve(".git"))) {
            throw new UserInputException("not a git repository: " + repo + " (ensemble chat keeps its transcript in the repository's .ensemble/; run it inside one)");
        }
        // Roles and models are checked from the configuration alone, so bad input opens no store.
        checkRolesAndModels(app);
        ModelErrors.requireAnyUsable(app);
        RoleModels.Cast implementer = cast(app, implementerRole, text, implementerModel, Set.of());
        RoleModels.Cast reviewer = cast(app, reviewerRole, text, reviewerModel, Set.of(implementer.lead().family()));

        ChatListener listener = json ? ChatListener.NONE : new TerminalChatListener(term);
        ChatTranscript transcript = new DuoChat(implementer, reviewer, settings, listener, app.clock()).run(text);
        Path file = transcript.write(repo);

        if (json) {
            term.out().print(transcript.toJsonText());
        } else {
            term.err().println(summary(term, transcript, repo.relativize(file)));
        }
        return transcript.outcome() == ChatOutcome.FAILED ? ExitCodes.FAILED : ExitCodes.OK;
    }

    private ChatSettings settings() {
        if (rounds < 1) throw new UserInputException("--rounds must be at least 1 (got " + rounds + ")");
        Duration timeout;
        try {
            timeout = Durations.parse(turnTimeout);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--turn-timeout: " + e.getMessage());
        }
        try {
            return new ChatSettings(rounds, stopToken, timeout);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
    }

    private void checkRolesAndModels(AppContext app) {
        try {
            Roles roles = app.roles();
            roles.require(implementerRole);
            roles.require(reviewerRole);
            for (String model : new String[] {implementerModel, reviewerModel}) {
                if (model != null) ChatModels.servable(app.config().catalog(), model, app.config().localOnly());
            }
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
    }

    private static RoleModels.Cast cast(AppContext app, String role, String task, String model, Set<String> avoidFamilies) {
        try {
            return app.roleModels().cast(role, task, Optional.ofNullable(model), avoidFamilies);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
    }

    private static String summary(Terminal term, ChatTranscript t, Path file) {
        Usage usage = t.totalUsage();
        String outcome = switch (t.outcome()) {
            case APPROVED -> term.green(t.outcome().label());
            case ROUND_LIMIT -> t.outcome().label();
            case TIMED_OUT -> term.yellow(t.outcome().label());
            case FAILED -> term.red(t.outcome().label());
        };
        return term.bold("chat") + ": " + t.roundsCompleted() + " of " + t.settings().rounds() + " round(s) · " + outcome
                + term.dim(" (" + t.outcomeDetail() + ")") + " · " + Format.tokens(usage.inputTokens()) + " in / "
                + Format.tokens(usage.outputTokens()) + " out · " + Format.usd(t.totalCostUsd()) + " · transcript " + file;
    }


    /** Prints each turn as it streams: a coloured header naming the role and the model, then the text. */
    private static final class TerminalChatListener implements ChatListener {
        private final Terminal term;
        private String announcedModel = "";
        private boolean midLine;
        private boolean printedSinceFailure;

        TerminalChatListener(Terminal term) {
            this.term = term;
        }

        @Override
        public void onTurnStart(int index, int round, ChatTurn.Side side, String roleId, String roleName, String modelId) {
            if (index > 1) term.out().println();
            String header = "[" + roleName + " · " + modelId + "]";
            term.out().println(term.bold(side == ChatTurn.Side.IMPLEMENTER ? term.cyan(header) : term.green(header))
                    + term.dim(" round " + round));
            term.out().flush();
            announcedModel = modelId;
            midLine = false;
            printedSinceFailure = false;
        }

        @Override
        public void onText(String delta) {
            term.out().print(delta);
            term.out().flush();
            if (!delta.isEmpty()) midLine = !delta.endsWith("\n");
            printedSinceFailure = true;
        }

        @Override
        public void onAttemptFailed(FailedAttempt failure) {
            endLine();
            term.err().println(term.yellow("[" + failure + (printedSinceFailure ? " — the partial answer above is discarded" : "") + "]"));
            printedSinceFailure = false;
        }

        @Override
        public void onTurnEnd(ChatTurn turn) {
            endLine();
            switch (turn.status()) {
                case OK -> {
                    if (!turn.modelId().equals(announcedModel)) term.out().println(term.dim("(answered by " + turn.modelId() + ")"));
                }
                case TIMED_OUT -> term.err().println(term.yellow("[timed out: " + turn.error() + "; the chat ends with what it has]"));
                case FAILED -> term.err().println(term.red("[failed: " + turn.error() + "; the chat ends with what it has]"));
            }
            term.out().flush();
        }

        private void endLine() {
            if (midLine) term.out().println();
            midLine = false;
        }
    }
}
