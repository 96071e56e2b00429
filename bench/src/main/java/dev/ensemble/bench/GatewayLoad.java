package dev.ensemble.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load generator for the gateway benchmark (BENCHMARKS.md section 7): {@code
 * --concurrency} virtual threads each send one OpenAI Chat Completions request after another to
 * {@code --url} for {@code --seconds}, and it prints requests per second and the latency
 * percentiles of the whole response and, for streamed requests, of the first byte of the body.
 * The same client and body for every target (direct, ensemble's gateway, Portkey), so the
 * differences are the targets'.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.ensemble.bench.GatewayLoad --url http://127.0.0.1:4000/v1/chat/completions \
 *      --model m --concurrency 16 --seconds 10 [--stream] [--header name:value]... [--label text] [--cpu-pid PID]
 * </pre>
 */
public final class GatewayLoad {
    private GatewayLoad() {}

    record Result(String label, int concurrency, boolean stream, long requests, long errors, double seconds,
                  long[] latencyMicros, long[] firstByteMicros, double cpuMillisPerRequest) {
        double rps() { return requests / seconds; }

        static double percentile(long[] sorted, double p) {
            if (sorted.length == 0) return Double.NaN;
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
        }

        String line() {
            return String.format("%s\tc=%d\t%s\t%.0f req/s\tp50 %.2f ms\tp99 %.2f ms\tttfb p50 %.2f ms\tttfb p99 %.2f ms\terrors %d"
                            + "\tcpu %.2f ms/req",
                    label, concurrency, stream ? "stream" : "plain", rps(), percentile(latencyMicros, 50), percentile(latencyMicros, 99),
                    percentile(firstByteMicros, 50), percentile(firstByteMicros, 99), errors, cpuMillisPerRequest);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        List<String> headers = new ArrayList<>();
        boolean stream = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--stream" -> stream = true;
                case "--header" -> headers.add(args[++i]);
                default -> options.put(args[i], args[++i]);
            }
        }
        URI url = URI.create(options.getOrDefault("--url", "http://127.0.0.1:4000/v1/chat/completions"));
        int concurrency = Integer.parseInt(options.getOrDefault("--concurrency", "16"));
        double seconds = Double.parseDouble(options.getOrDefault("--seconds", "10"));
        double warmup = Double.parseDouble(options.getOrDefault("--warmup", "3"));
        String model = options.getOrDefault("--model", "bench");
        String label = options.getOrDefault("--label", url.toString());
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in five words.\"}]"
                + (stream ? ",\"stream\":true" : "") + "}";
        long cpuPid = Long.parseLong(options.getOrDefault("--cpu-pid", "-1"));
        run(url, headers, body, concurrency, warmup, false, label, stream, -1);
        Result result = run(url, headers, body, concurrency, seconds, true, label, stream, cpuPid);
        System.out.println(result.line());
    }

    static Result run(URI url, List<String> headers, String body, int concurrency, double seconds, boolean measure,
                      String label, boolean stream, long cpuPid) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder builder = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (String header : headers) {
            int colon = header.indexOf(':');
            builder.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        HttpRequest request = builder.build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong errors = new AtomicLong();
        long[][] latencies = new long[concurrency][];
        long[][] firstBytes = new long[concurrency][];
        int[] counts = new int[concurrency];
        long cpuBefore = cpuTicks(cpuPid);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            latencies[t] = new long[4096];
            firstBytes[t] = new long[4096];
            int slot = t;
            threads.add(Thread.ofVirtual().start(() -> {
                byte[] buffer = new byte[8192];
                while (running.get()) {
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                        long first = -1;
                        try (InputStream in = response.body()) {
                            int read;
                            while ((read = in.read(buffer)) >= 0) {
                                if (first < 0 && read > 0) first = System.nanoTime();
                            }
                        }
                        long done = System.nanoTime();
                        if (response.statusCode() != 200) {
                            errors.incrementAndGet();
                            continue;
                        }
                        if (!measure) continue;
                        int n = counts[slot];
                        if (n == latencies[slot].length) {
                            latencies[slot] = Arrays.copyOf(latencies[slot], n * 2);
                            firstBytes[slot] = Arrays.copyOf(firstBytes[slot], n * 2);
                        }
                        latencies[slot][n] = (done - sent) / 1000;
                        firstBytes[slot][n] = ((first < 0 ? done : first) - sent) / 1000;
                        counts[slot] = n + 1;
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            }));
        }
        Thread.sleep((long) (seconds * 1000));
        running.set(false);
        for (Thread thread : threads) thread.join();
        double elapsed = (System.nanoTime() - start) / 1e9;
        long cpuAfter = cpuTicks(cpuPid);
        long total = Arrays.stream(counts).sum();
        long[] allLatency = new long[(int) total];
        long[] allFirst = new long[(int) total];
        int at = 0;
        for (int t = 0; t < concurrency; t++) {
            System.arraycopy(latencies[t], 0, allLatency, at, counts[t]);
            System.arraycopy(firstBytes[t], 0, allFirst, at, counts[t]);
            at += counts[t];
        }
        Arrays.sort(allLatency);
        Arrays.sort(allFirst);
        client.close();
        // Clock ticks are 10 ms on Linux (USER_HZ 100): over a 10 s run that is well below the spread.
        double cpuPerRequest = cpuPid < 0 || total == 0 ? Double.NaN : (cpuAfter - cpuBefore) * 10.0 / total;
        return new Result(label, concurrency, stream, total, errors.get(), elapsed, allLatency, allFirst, cpuPerRequest);
    }

    /**
     * User plus system CPU time of a process in clock ticks (fields 14 and 15 of /proc/PID/stat), -1
     * without one: with {@code --cpu-pid} the line reports the target's own CPU per request, which
     * a machine shared with other work disturbs much less than latency or throughput.
     */
    static long cpuTicks(long pid) {
        if (pid < 0) return -1;
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }
}
