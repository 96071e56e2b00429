package dev.ensemble.bench;

import dev.ensemble.agents.AgentInfo;
import dev.ensemble.agents.cli.AgentRegistry;
import dev.ensemble.agents.cli.CliSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@code agents} and {@code doctor} spend finding the coding-agent CLIs, in one process, on
 * the CLIs installed here (PATH and the install cache of {@code .ci/install-agent-clis.sh}), three
 * ways in the same run:
 *
 * <ul>
 *   <li><b>uncached</b>: every detection runs each CLI's {@code --version}, as before the detection
 *       cache (and as with {@code withDetectionCache(null)});
 *   <li><b>cold</b>: the cache file is deleted before each detection, so each CLI is asked and the
 *       answers written (what the first command after an install or upgrade pays);
 *   <li><b>warm</b>: the cache holds every answer, so no process starts (every later command).
 * </ul>
 *
 * Every mode gets a 120 s version limit so that what is measured is the CLIs' real time, not the
 * 10 s deadline. Not JMH: a sample starts processes for seconds, so a plain loop with a median is
 * the honest tool. Whole commands are timed with hyperfine (see BENCHMARKS.md).
 *
 * <p>Run: {@code ./mvnw -q -B package -pl bench -am -DskipTests && $JAVA_HOME/bin/java -cp
 * bench/target/benchmarks.jar dev.ensemble.bench.AgentDetectionBenchmark [--runs 5] [--warm-runs 50]}
 */
public final class AgentDetectionBenchmark {
    private AgentDetectionBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        int runs = Integer.parseInt(opts.getOrDefault("runs", "5"));
        int warmRuns = Integer.parseInt(opts.getOrDefault("warm-runs", "50"));
        Path cacheFile = Files.createTempDirectory("ensemble-detect-bench").resolve("agents.json");
        CliSettings settings = CliSettings.defaults().withVersionTimeout(Duration.ofSeconds(120)).withDetectionCache(cacheFile);
        AgentRegistry uncached = AgentRegistry.withCliAgents(settings.withDetectionCache(null));
        AgentRegistry cached = AgentRegistry.withCliAgents(settings);

        List<AgentInfo> found = uncached.detectAll();
        System.out.println("CLIs: " + found.stream().map(i -> i.name() + "=" + i.status().name().toLowerCase(Locale.ROOT)
                + (i.version().isEmpty() ? "" : " " + i.version())).collect(Collectors.joining(", ")));
        long ready = found.stream().filter(i -> i.status() == AgentInfo.Status.READY).count();
        if (ready == 0) System.out.println("no CLI installed: run .ci/install-agent-clis.sh first, or the figures mean nothing");
        System.out.printf(Locale.ROOT, "load average at start: %.2f; %d cores%n", loadAverage(), Runtime.getRuntime().availableProcessors());

        List<Long> uncachedTimes = new ArrayList<>();
        List<Long> coldTimes = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            // Interleaved, so that a change in the machine's load hits both modes alike.
            uncachedTimes.add(time(uncached));
            Files.deleteIfExists(cacheFile);
            coldTimes.add(time(cached));
        }
        cached.detectAll();
        for (int i = 0; i < 5; i++) cached.detectAll(); // the JIT's warm-up, as a fresh CLI process does not get
        List<Long> warmTimes = new ArrayList<>();
        for (int i = 0; i < warmRuns; i++) warmTimes.add(time(cached));
        boolean allRemembered = cached.detectAll().stream().filter(i -> i.binary().isPresent())
                .allMatch(i -> i.status() == AgentInfo.Status.READY);

        System.out.printf(Locale.ROOT, "%-44s %5s %9s %9s %9s%n", "detectAll() of every CLI agent", "n", "median", "min", "max");
        row("uncached (--version of each CLI, as before)", uncachedTimes);
        row("cold (cache file deleted: asked and written)", coldTimes);
        row("warm (every answer remembered)", warmTimes);
        System.out.printf(Locale.ROOT, "warm vs uncached: %.0fx faster; every found CLI remembered: %s; load average at end: %.2f%n",
                (double) median(uncachedTimes) / Math.max(1, median(warmTimes)), allRemembered, loadAverage());
    }

    private static long time(AgentRegistry registry) {
        long start = System.nanoTime();
        registry.detectAll();
        return System.nanoTime() - start;
    }

    private static void row(String label, List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "%-44s %5d %9s %9s %9s%n", label, sorted.size(), ms(median(sorted)), ms(sorted.getFirst()),
                ms(sorted.getLast()));
    }

    private static String ms(long nanos) {
        double ms = nanos / 1e6;
        return ms < 10 ? String.format(Locale.ROOT, "%.2f ms", ms) : String.format(Locale.ROOT, "%.0f ms", ms);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
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
