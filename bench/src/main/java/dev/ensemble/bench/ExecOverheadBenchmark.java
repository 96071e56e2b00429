package dev.ensemble.bench;

import dev.ensemble.agents.enforce.Enforcer;
import dev.ensemble.agents.enforce.Policy;
import dev.ensemble.agents.enforce.Verdict;
import dev.ensemble.agents.workspace.ChangeSet;
import dev.ensemble.agents.workspace.Git;
import dev.ensemble.agents.workspace.MergeResult;
import dev.ensemble.agents.workspace.Snapshot;
import dev.ensemble.agents.workspace.Workspace;
import dev.ensemble.agents.workspace.WorkspaceManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * ensemble's own overhead per {@code exec}, without any agent: create the worktree, snapshot,
 * a trivial change, commit and read the change set, enforce, merge into the run branch, remove.
 * On a generated repository of 10,000 files (100 folders of 100), the median of 20 sequential
 * execs (after 2 warm-up ones), then rounds of 8 execs in parallel. Not JMH: each sample is
 * tens of processes and hundreds of milliseconds, so a plain loop with a median is the honest tool.
 *
 * <p>Run: {@code ./mvnw -q -B package -pl bench -am -DskipTests && $JAVA_HOME/bin/java -cp
 * bench/target/benchmarks.jar dev.ensemble.bench.ExecOverheadBenchmark [--files 10000] [--runs 20]
 * [--parallel 8] [--rounds 3] [--dir /tmp/x]}
 */
public final class ExecOverheadBenchmark {
    private static final List<String> PHASES = List.of("create", "snapshot", "commit", "enforce", "merge", "remove");

    private final WorkspaceManager manager;
    private final Enforcer enforcer = new Enforcer(Policy.DEFAULT);

    private ExecOverheadBenchmark(WorkspaceManager manager) {
        this.manager = manager;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        int files = Integer.parseInt(opts.getOrDefault("files", "10000"));
        int runs = Integer.parseInt(opts.getOrDefault("runs", "20"));
        int parallel = Integer.parseInt(opts.getOrDefault("parallel", "8"));
        int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
        Path dir = opts.containsKey("dir") ? Path.of(opts.get("dir")) : Files.createTempDirectory("ensemble-exec-bench");

        long t0 = System.nanoTime();
        Path repo = generate(dir.resolve("repo"), files);
        System.out.printf(Locale.ROOT, "generated %d files in %s (%.1f s); git %s%n", files, repo,
                (System.nanoTime() - t0) / 1e9, Git.in(repo).ok("--version").replace("git version ", ""));
        ExecOverheadBenchmark bench = new ExecOverheadBenchmark(new WorkspaceManager(repo));
        // The floor no worktree can beat: writing (and deleting) the same files without git.
        List<Long> floor = new ArrayList<>();
        for (int i = 0; i < 3; i++) floor.add(copyFloor(repo, dir.resolve("floor"), files));

        for (int i = 0; i < 2; i++) bench.exec("warm", "w" + i);
        List<Map<String, Long>> sequential = new ArrayList<>();
        for (int i = 0; i < runs; i++) sequential.add(bench.exec("seq", "t" + i));

        List<Map<String, Long>> concurrent = new ArrayList<>();
        List<Long> roundWalls = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(parallel)) {
            for (int r = 0; r < rounds; r++) {
                String run = "par" + r;
                long start = System.nanoTime();
                List<Future<Map<String, Long>>> futures = new ArrayList<>();
                for (int i = 0; i < parallel; i++) {
                    String task = "t" + i;
                    futures.add(pool.submit(() -> bench.exec(run, task)));
                }
                for (Future<Map<String, Long>> f : futures) concurrent.add(f.get());
                roundWalls.add(System.nanoTime() - start);
            }
        }

        System.out.printf(Locale.ROOT, "%nper-exec overhead, ms (repository of %d files; %d CPUs)%n", files,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-40s %8s %8s %8s %8s%n", "", "median", "p90", "min", "max");
        row("sequential, total (n=" + runs + ")", column(sequential, "total"));
        for (String phase : PHASES) row("  " + phase, column(sequential, phase));
        row(parallel + " in parallel, per exec (n=" + concurrent.size() + ")", column(concurrent, "total"));
        for (String phase : PHASES) row("  " + phase, column(concurrent, phase));
        row(parallel + " in parallel, round wall (n=" + rounds + ")", roundWalls);
        row("floor: write+delete files, no git (n=" + floor.size() + ")", floor);
        long medianWall = median(roundWalls);
        System.out.printf(Locale.ROOT, "throughput with %d in parallel: %.1f execs/s (sequential: %.1f execs/s)%n",
                parallel, parallel / (medianWall / 1e9), 1e9 / median(column(sequential, "total")));
    }

    /** One exec without an agent; returns the nanoseconds of each phase and the total. */
    private Map<String, Long> exec(String run, String task) throws IOException {
        Map<String, Long> times = new LinkedHashMap<>();
        long start = System.nanoTime();
        long t = start;
        Workspace ws = manager.create(run, task, "HEAD", List.of());
        t = lap(times, "create", t);
        Snapshot before = manager.snapshot(ws);
        t = lap(times, "snapshot", t);
        String path = "d000/" + run + "-" + task + ".txt";
        Files.writeString(ws.directory().resolve(path), "trivial change by " + task + "\n");
        ChangeSet changes = manager.commit(ws, "ensemble: " + task);
        t = lap(times, "commit", t);
        Verdict verdict = enforcer.enforce("bench", changes, List.of(path), ws, before);
        if (!verdict.accepted()) throw new IllegalStateException("benchmark change rejected: " + verdict.summary());
        t = lap(times, "enforce", t);
        MergeResult merged = manager.merge(ws, WorkspaceManager.runBranchName(run));
        if (!merged.merged()) throw new IllegalStateException("benchmark merge failed: " + merged);
        t = lap(times, "merge", t);
        manager.remove(ws);
        lap(times, "remove", t);
        times.put("total", System.nanoTime() - start);
        return times;
    }

    /** Nanoseconds to write {@code files} files of the repository's size into a fresh folder and delete them. */
    private static long copyFloor(Path repo, Path into, int files) throws IOException {
        long start = System.nanoTime();
        for (int i = 0; i < files; i++) {
            Path file = into.resolve(String.format(Locale.ROOT, "d%03d/f%05d.txt", i / 100, i));
            if (i % 100 == 0) Files.createDirectories(file.getParent());
            Files.writeString(file, "line one of file " + i + "\nline two\nline three\n");
        }
        try (Stream<Path> walk = Files.walk(into)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        return System.nanoTime() - start;
    }

    private static long lap(Map<String, Long> times, String phase, long since) {
        long now = System.nanoTime();
        times.put(phase, now - since);
        return now;
    }

    private static Path generate(Path repo, int files) throws IOException {
        Files.createDirectories(repo);
        Git git = Git.in(repo);
        git.ok("init", "-q", "-b", "main");
        int perDir = 100;
        for (int i = 0; i < files; i++) {
            Path file = repo.resolve(String.format(Locale.ROOT, "d%03d/f%05d.txt", i / perDir, i));
            if (i % perDir == 0) Files.createDirectories(file.getParent());
            Files.writeString(file, "line one of file " + i + "\nline two\nline three\n");
        }
        git.ok("add", "-A");
        git.ok("commit", "-q", "-m", "generated");
        git.ok("repack", "-a", "-d", "-q"); // a real repository's objects are mostly packed
        git.ok("prune-packed");
        return repo.toRealPath();
    }

    private static List<Long> column(List<Map<String, Long>> samples, String key) {
        return samples.stream().map(s -> s.get(key)).toList();
    }

    private static void row(String label, List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "%-40s %8.1f %8.1f %8.1f %8.1f%n", label, median(sorted) / 1e6,
                sorted.get((int) Math.ceil(0.9 * sorted.size()) - 1) / 1e6, sorted.getFirst() / 1e6,
                sorted.getLast() / 1e6);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --option value: " + Arrays.toString(args));
            opts.put(args[i].substring(2), args[i + 1]);
        }
        return opts;
    }
}
