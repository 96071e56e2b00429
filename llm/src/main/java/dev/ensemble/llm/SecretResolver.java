package dev.ensemble.llm;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.UserDirs;
import dev.ensemble.core.io.BoundedText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Turns a {@link SecretRef} into the secret: {@code env:NAME} from the environment,
 * {@code file:PATH} from a file (trimmed, {@code ~} expanded), {@code keychain:SERVICE/ACCOUNT}
 * from the macOS keychain ({@code security find-generic-password}), {@code pass:NAME} from the
 * first line of {@code pass show}. Every value resolved is registered with
 * {@link Redactor#global()} before it is handed out, and no message of this class ever holds one.
 *
 * <p>{@link #resolve} gives the value or nothing; {@link #check} says why not; {@link #require}
 * throws with that reason. A value under 6 characters is refused: it cannot be masked safely and
 * is not a real key.
 *
 * <p>With a {@link SecretStore}, an {@code env:NAME} reference whose variable is unset falls back
 * to the key stored as NAME by {@code ensemble secrets set NAME}: the built-in providers'
 * {@code env:ANTHROPIC_API_KEY} and the like are then satisfied without editing any configuration,
 * and a variable that is set still wins.
 */
public final class SecretResolver {
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final int MIN_LENGTH = 6;
    /** A key file holds one key: anything larger is not one (and is not read into memory). */
    private static final long MAX_FILE_BYTES = 64 * 1024;

    /** Runs a helper program (security, pass) and gives its exit code and output. */
    @FunctionalInterface
    public interface CommandRunner {
        /**
         * @throws IOException when the program cannot be started or does not finish within {@code timeout}
         */
        Result run(List<String> command, Duration timeout) throws IOException;

        /**
         * Runs the program with {@code input} written to its standard input, which is then closed:
         * how a secret reaches {@code pass insert} or {@code security -i} without ever being on a
         * command line (where {@code ps} and shell history would show it).
         *
         * @throws IOException as {@link #run(List, Duration)}, or when this runner cannot feed input
         */
        default Result run(List<String> command, String input, Duration timeout) throws IOException {
            if (input.isEmpty()) return run(command, timeout);
            throw new IOException("this runner cannot write to a program's input");
        }

        record Result(int exitCode, String stdout, String stderr) {}

        /** Runs the program with {@link ProcessBuilder}, killing it when the timeout passes. */
        CommandRunner PROCESS = new CommandRunner() {
            @Override
            public Result run(List<String> command, Duration timeout) throws IOException {
                return runProcess(command, "", timeout);
            }

            @Override
            public Result run(List<String> command, String input, Duration timeout) throws IOException {
                return runProcess(command, input, timeout);
            }
        };
    }

    /** Whether a secret is available; {@code reason} names the reference and never holds the value. */
    public record Resolution(boolean available, String reason) {}

    private sealed interface Lookup {
        /** {@code from} says where the value came from when that is not the reference itself ("" when it is). */
        record Found(String value, String from) implements Lookup {
            Found(String value) {
                this(value, "");
            }
        }

        record Missing(String reason) implements Lookup {}
    }

    private final Map<String, String> env;
    private final CommandRunner runner;
    private final boolean macOs;
    private final Path home;
    private final SecretStore store;
    private final Map<String, Stored> stored = new ConcurrentHashMap<>();

    /**
     * A store look-up, remembered: a found key for the process, a missing one for a few seconds
     * (a long run sees a key stored meanwhile, while a burst of checks asks the store once).
     */
    private record Stored(Lookup lookup, long at) {
        static final long MISSING_NANOS = Duration.ofSeconds(10).toNanos();

        boolean fresh(long now) {
            return lookup instanceof Lookup.Found || now - at < MISSING_NANOS;
        }
    }

    /**
     * @param store where {@code ensemble secrets set} keeps keys: an {@code env:NAME} reference
     *              whose variable is unset is looked up there under NAME, so a stored key
     *              satisfies the built-in providers without any configuration; null for none
     */
    public SecretResolver(Map<String, String> env, CommandRunner runner, boolean macOs, Path home, SecretStore store) {
        this.env = Map.copyOf(env);
        this.runner = Objects.requireNonNull(runner, "runner");
        this.macOs = macOs;
        this.home = Objects.requireNonNull(home, "home");
        this.store = store;
    }

    public SecretResolver(Map<String, String> env, CommandRunner runner, boolean macOs, Path home) {
        this(env, runner, macOs, home, null);
    }

    /** The home folder for {@code file:~/…} as {@link UserDirs} finds it in {@code env} ({@code $HOME} first). */
    public SecretResolver(Map<String, String> env, CommandRunner runner) {
        this(env, runner, isMacOs(), new UserDirs(env).home());
    }

    /** The process's environment, real helper programs, the home folder $HOME names; no secrets store. */
    public SecretResolver() {
        this(System.getenv(), CommandRunner.PROCESS);
    }

    /**
     * As the CLI resolves: the given environment (HOME, XDG_CONFIG_HOME and PATH from it), real
     * helper programs, and the secrets store {@link SecretStores#choose} picks for this machine.
     */
    public static SecretResolver withStore(Map<String, String> env) {
        boolean macOs = isMacOs();
        return new SecretResolver(env, CommandRunner.PROCESS, macOs, new UserDirs(env).home(),
                SecretStores.choose(env, CommandRunner.PROCESS, macOs));
    }

    /** The store behind {@code env:} references whose variable is unset; empty when there is none. */
    public Optional<SecretStore> store() {
        return Optional.ofNullable(store);
    }

    /** Names of variables that hold a credential by convention, whatever configuration names them. */
    private static final java.util.regex.Pattern CREDENTIAL_NAME =
            java.util.regex.Pattern.compile("(?i).*(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL).*");

    /**
     * Registers with {@link Redactor#global()} the value of every reference given (every key the
     * configuration names, used or not), so that a key ensemble never used is masked too: a hostile
     * agent that found one (another provider's key, read from a file it should not see) cannot get
     * it printed or stored in clear. {@code env:} (and, for an unset variable, the key
     * {@code ensemble secrets} keeps in a file) and {@code file:} references are read at once.
     * {@code pass:} and {@code keychain:} references (and an unset {@code env:} backed by pass or
     * the keychain) cost a program each, and may ask for a passphrase: they are read only when
     * {@code byProgram} is set (the commands that call models or agents, where a key can leak),
     * all at once on virtual threads, each within {@link #COMMAND_TIMEOUT}. One that cannot be read
     * is in no process or environment of ensemble's, so nothing ensemble prints or stores can hold it.
     *
     * <p>Also registered: the values of this environment's variables whose names say they hold a
     * credential ({@code *_API_KEY}, {@code *TOKEN*} such as {@code ENSEMBLE_TOKEN} or
     * {@code GITHUB_TOKEN}, {@code *SECRET*}, {@code *PASSWORD*}), when they look like a key (at
     * least 8 characters, one word, not a path).
     */
    public void registerConfigured(java.util.Collection<SecretRef> refs, boolean byProgram) {
        List<SecretRef> costly = new java.util.ArrayList<>();
        for (SecretRef ref : refs) {
            boolean cheap = switch (ref) {
                case SecretRef.Env e -> env.containsKey(e.name()) || store == null || store instanceof FileSecretStore;
                case SecretRef.File f -> true;
                case SecretRef.Keychain k -> !macOs;  // answered without a program off macOS
                case SecretRef.Pass p -> false;
            };
            if (cheap) lookup(ref);  // registers a value it finds
            else costly.add(ref);
        }
        if (byProgram && !costly.isEmpty()) {
            try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                costly.forEach(ref -> threads.submit(() -> lookup(ref)));
            }
        }
        env.forEach((name, value) -> {
            if (CREDENTIAL_NAME.matcher(name).matches() && looksLikeKey(value)) Redactor.global().register(value.strip());
        });
    }

    private static boolean looksLikeKey(String value) {
        String v = value.strip();
        return v.length() >= 8 && !v.startsWith("/") && v.chars().noneMatch(Character::isWhitespace);
    }

    public Optional<String> resolve(SecretRef ref) {
        return lookup(ref) instanceof Lookup.Found found ? Optional.of(found.value()) : Optional.empty();
    }

    /** @throws SecretException naming the reference and why it could not be resolved */
    public String require(SecretRef ref) {
        return switch (lookup(ref)) {
            case Lookup.Found found -> found.value();
            case Lookup.Missing missing -> throw new SecretException(ref, missing.reason());
        };
    }

    public Resolution check(SecretRef ref) {
        return switch (lookup(ref)) {
            case Lookup.Found found -> new Resolution(true, found.from().isEmpty() ? ref + " is set" : found.from());
            case Lookup.Missing missing -> new Resolution(false, missing.reason());
        };
    }

    private Lookup lookup(SecretRef ref) {
        Lookup raw = switch (ref) {
            case SecretRef.Env e -> fromEnv(e);
            case SecretRef.File f -> fromFile(f);
            case SecretRef.Keychain k -> fromKeychain(k);
            case SecretRef.Pass p -> fromPass(p);
        };
        if (!(raw instanceof Lookup.Found found)) return raw;
        String value = found.value().strip();
        if (value.isEmpty()) return new Lookup.Missing(ref + " is empty");
        if (value.length() < MIN_LENGTH) {
            return new Lookup.Missing(ref + " holds a value under " + MIN_LENGTH + " characters, which is not a key");
        }
        Redactor.global().register(value);
        return new Lookup.Found(value, found.from());
    }

    private Lookup fromEnv(SecretRef.Env ref) {
        String value = env.get(ref.name());
        if (value != null) return new Lookup.Found(value);
        if (store == null || !SecretStore.validName(ref.name())) return new Lookup.Missing(ref + " not set");
        // Remembered: a store may run a program (pass, security) for each look-up.
        long now = System.nanoTime();
        return stored.compute(ref.name(), (name, old) -> old != null && old.fresh(now) ? old : new Stored(fromStore(ref, name), now))
                .lookup();
    }

    private Lookup fromStore(SecretRef.Env ref, String name) {
        if (!store.contains(name)) return new Lookup.Missing(ref + " not set");
        return switch (lookup(store.ref(name))) {
            case Lookup.Found f -> new Lookup.Found(f.value(), name + " from ensemble secrets (" + store.where(name) + "), as " + ref + " is unset");
            case Lookup.Missing m -> new Lookup.Missing(ref + " not set, and the stored " + name + " cannot be read: " + m.reason());
        };
    }

    private Lookup fromFile(SecretRef.File ref) {
        Path path = expandHome(ref.path());
        if (!Files.exists(path)) return new Lookup.Missing(ref + ": file " + path + " not found");
        if (!Files.isRegularFile(path)) return new Lookup.Missing(ref + ": " + path + " is not a file");
        try {
            return new Lookup.Found(BoundedText.read(path, MAX_FILE_BYTES));
        } catch (BoundedText.InputLimitException e) {
            return new Lookup.Missing(ref + ": " + path + " " + e.getMessage());  // says which limit, never the content
        } catch (IOException | UncheckedIOException e) {
            return new Lookup.Missing(ref + ": cannot read " + path + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private Lookup fromKeychain(SecretRef.Keychain ref) {
        if (!macOs) return new Lookup.Missing(ref + ": the keychain is only available on macOS");
        return fromCommand(ref, List.of("security", "find-generic-password", "-s", ref.service(), "-a", ref.account(), "-w"),
                "no keychain item with service " + ref.service() + " and account " + ref.account());
    }

    private Lookup fromPass(SecretRef.Pass ref) {
        Lookup out = fromCommand(ref, List.of("pass", "show", ref.name()), "pass has no entry " + ref.name());
        if (out instanceof Lookup.Found found) {
            String text = found.value();
            int newline = text.indexOf('\n');
            return new Lookup.Found(newline < 0 ? text : text.substring(0, newline));
        }
        return out;
    }

    private Lookup fromCommand(SecretRef ref, List<String> command, String notFound) {
        CommandRunner.Result result;
        try {
            result = runner.run(command, COMMAND_TIMEOUT);
        } catch (IOException e) {
            // The exception text is ours or the OS's (program missing, timed out), never the secret.
            return new Lookup.Missing(ref + ": " + command.getFirst() + " failed: " + e.getMessage());
        }
        if (result.exitCode() != 0) {
            // stderr of security/pass describes the lookup, but could echo input: keep it out.
            return new Lookup.Missing(ref + ": " + notFound + " (" + command.getFirst() + " exited with " + result.exitCode() + ")");
        }
        return new Lookup.Found(result.stdout());
    }

    private Path expandHome(String path) {
        if (path.equals("~")) return home;
        if (path.startsWith("~/")) return home.resolve(path.substring(2));
        return Path.of(path);
    }

    private static boolean isMacOs() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("mac");
    }

    private static CommandRunner.Result runProcess(List<String> command, String input, Duration timeout) throws IOException {
        Process process = new ProcessBuilder(command).start();
        // Read before writing: a program that answers before it has read all its input must not block us both.
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        try (var stdin = process.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The program exited without reading; its exit code tells why.
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("did not finish within " + timeout.toSeconds() + " s");
            }
            return new CommandRunner.Result(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            in.transferTo(buffer);
            return buffer.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
