package dev.ensemble.bench;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway benchmark's memory check (BENCHMARKS.md section 7): holds {@code --count} streamed
 * OpenAI Chat requests open at once against a slow model (the upstream trickles an event a second),
 * waits until every one has received its first bytes, then reads the resident memory of the
 * gateway's process ({@code VmRSS} and {@code VmHWM} of /proc/PID/status) a few times while they
 * stay open, and prints the largest.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.ensemble.bench.OpenStreams --url http://127.0.0.1:4000/v1/chat/completions \
 *      --model bench-slow --count 500 --pid 12345 [--hold 10]
 * </pre>
 */
public final class OpenStreams {
    private OpenStreams() {}

    public static void main(String[] args) throws Exception {
        String url = "http://127.0.0.1:4000/v1/chat/completions";
        String model = "bench-slow";
        int count = 500;
        long pid = -1;
        int hold = 10;
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = args[++i];
                case "--model" -> model = args[++i];
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--pid" -> pid = Long.parseLong(args[++i]);
                case "--hold" -> hold = Integer.parseInt(args[++i]);
                case "--header" -> headers.add(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in five words.\"}]}";
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(30)).build();
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (String header : headers) {
            int colon = header.indexOf(':');
            builder.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        HttpRequest request = builder.build();
        CountDownLatch open = new CountDownLatch(count);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger failed = new AtomicInteger();
        // Why each failed one failed (a status, an exception's class), so a count of failures can be explained.
        java.util.Map<String, AtomicInteger> why = new java.util.concurrent.ConcurrentSkipListMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                boolean counted = false;
                try {
                    HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream in = response.body()) {
                        if (response.statusCode() != 200) {
                            failed.incrementAndGet();
                            why.computeIfAbsent("status " + response.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                        } else if (in.read(new byte[1024]) < 0) {
                            failed.incrementAndGet();
                            why.computeIfAbsent("empty body", k -> new AtomicInteger()).incrementAndGet();
                        }
                        open.countDown();
                        counted = true;
                        release.await();
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                    why.computeIfAbsent(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), k -> new AtomicInteger()).incrementAndGet();
                } finally {
                    if (!counted) open.countDown();
                }
            }));
        }
        boolean all = open.await(3, TimeUnit.MINUTES);
        long rssKb = 0;
        for (int s = 0; s < hold; s++) {
            rssKb = Math.max(rssKb, statusKb(pid, "VmRSS:"));
            Thread.sleep(1000);
        }
        System.out.printf("streams %d\topened %s\tfailed %d%s\tVmRSS %.1f MB\tVmHWM %.1f MB%n", count, all ? "all" : "not all",
                failed.get(), why.isEmpty() ? "" : " " + why, rssKb / 1024.0, statusKb(pid, "VmHWM:") / 1024.0);
        release.countDown();
        client.shutdownNow();
        for (Thread thread : threads) thread.interrupt();
    }

    /** A {@code kB} field of /proc/PID/status, or -1 without a process. */
    static long statusKb(long pid, String field) throws java.io.IOException {
        if (pid < 0) return -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) return Long.parseLong(line.substring(field.length()).replace("kB", "").strip());
        }
        return -1;
    }
}
