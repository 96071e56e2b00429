package dev.ensemble.engine.transcript;

import dev.ensemble.agents.AgentListener;
import dev.ensemble.core.Redactor;
import dev.ensemble.llm.ChatModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The transcripts of a repository's runs, one folder per run under {@code .ensemble/sessions/}:
 * {@code plan.jsonl} for the planner, {@code <task>-a<attempt>-f<fallbackStep>.jsonl} for each
 * attempt of a task (its agent's events), {@code <task>-review.jsonl} for the task's reviews.
 * One writer per file in this process, so lines from two threads never interleave.
 */
public final class SessionTranscripts {
    public static final String FOLDER = ".ensemble/sessions";
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Path repoRoot;
    private final Path folder;
    private final Redactor redactor;
    private final Clock clock;
    private final Map<Path, TranscriptWriter> writers = new ConcurrentHashMap<>();

    public SessionTranscripts(Path repoRoot, Redactor redactor, Clock clock) {
        this.repoRoot = repoRoot;
        this.folder = repoRoot.resolve(FOLDER);
        this.redactor = redactor;
        this.clock = clock;
    }

    /** The transcripts of the repository at {@code repoRoot}, masking every secret the process has resolved. */
    public static SessionTranscripts forRepository(Path repoRoot) {
        return new SessionTranscripts(repoRoot, Redactor.global(), Clock.systemUTC());
    }

    /** The folder of one run's transcripts. */
    public Path folder(String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches() || runId.contains("..")) {
            throw new IllegalArgumentException("not a run id: '" + runId + "'");
        }
        return folder.resolve(runId);
    }

    public TranscriptWriter plan(String runId) {
        return writer(folder(runId).resolve("plan.jsonl"));
    }

    /** The planner's model, its exchanges (the repair turn included) kept in the run's {@code plan.jsonl}. */
    public ChatModel planner(ChatModel model, String runId) {
        return new TranscribingChatModel(model, plan(runId), "planner");
    }

    public TranscriptWriter attemptWriter(String runId, String taskId, int attempt, int fallbackStep) {
        return writer(folder(runId).resolve(attemptFile(taskId, attempt, fallbackStep)));
    }

    public TranscriptWriter reviewWriter(String runId, String taskId) {
        return writer(folder(runId).resolve(fileStem(taskId) + "-review.jsonl"));
    }

    /**
     * The transcript of one attempt. A file left by an interrupted try of the same attempt is
     * continued, never replaced.
     *
     * @param next the live view the agent's events go on to
     */
    public AttemptTranscript attempt(String runId, String taskId, int attempt, int fallbackStep, String role, String agent,
                                     String model, AgentListener next) {
        return new AttemptTranscript(attemptWriter(runId, taskId, attempt, fallbackStep), reviewWriter(runId, taskId),
                "a" + attempt + "-f" + fallbackStep, role, agent, model, next);
    }

    /**
     * A task's transcript files, relative to the repository root with {@code /} separators: its
     * attempts in the order they ran (fallback step, then attempt), then its review file.
     */
    public List<String> filesOf(String runId, String taskId) {
        Path dir = folder(runId);
        if (!Files.isDirectory(dir)) return List.of();
        Pattern attempts = Pattern.compile(Pattern.quote(fileStem(taskId)) + "-a(\\d+)-f(\\d+)\\.jsonl");
        String review = fileStem(taskId) + "-review.jsonl";
        record Found(Path file, long step, long attempt) {}
        List<Found> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                Matcher m = attempts.matcher(name);
                if (m.matches()) found.add(new Found(file, Long.parseLong(m.group(2)), Long.parseLong(m.group(1))));
                else if (name.equals(review)) found.add(new Found(file, Long.MAX_VALUE, Long.MAX_VALUE));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        found.sort(Comparator.comparingLong(Found::step).thenComparingLong(Found::attempt));
        return found.stream().map(f -> relative(f.file())).toList();
    }

    /**
     * Keeps the gateway's summary of a task's failed attempt for the attempt that takes it over,
     * in {@code <task>-handover.txt} beside its transcripts, so a resume in a new process has it
     * too. Masked before it is written; a failed write loses only the summary, never the run.
     */
    public void keepHandover(String runId, String taskId, String summary) {
        try {
            dev.ensemble.engine.io.AtomicFiles.write(folder(runId).resolve(fileStem(taskId) + "-handover.txt"), redactor.redact(summary));
        } catch (IOException | RuntimeException e) {
            // The next attempt then starts without it, as before the gateway kept conversations.
        }
    }

    /** The summary {@link #keepHandover} kept for the task, if any. */
    public Optional<String> handover(String runId, String taskId) {
        Path file = folder(runId).resolve(fileStem(taskId) + "-handover.txt");
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file)).filter(s -> !s.isBlank()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The first transcript write that failed in this process, if any. */
    public Optional<String> problem() {
        return writers.values().stream().flatMap(w -> w.problem().stream()).findFirst();
    }

    static String attemptFile(String taskId, int attempt, int fallbackStep) {
        return fileStem(taskId) + "-a" + attempt + "-f" + fallbackStep + ".jsonl";
    }

    /** A task id as a file name: plan validation does not restrict ids, so anything that could leave the folder is replaced. */
    static String fileStem(String taskId) {
        String stem = taskId.replaceAll("[^A-Za-z0-9._-]", "_");
        return stem.startsWith(".") || stem.isEmpty() ? "_" + stem : stem;
    }

    private TranscriptWriter writer(Path file) {
        return writers.computeIfAbsent(file, f -> new TranscriptWriter(f, redactor, clock));
    }

    private String relative(Path file) {
        return repoRoot.relativize(file).toString().replace('\\', '/');
    }
}
