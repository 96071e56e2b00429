package dev.ensemble.cli;

import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.llm.SecretResolver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Runs ensemble commands in-process against a temporary git repository and captures what they print. */
final class CliHarness {
    record Run(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }

        /** The first line written to stderr, or "" when none was. */
        String firstErrorLine() {
            return err.lines().findFirst().orElse("");
        }
    }

    final Path repo;
    final Path userConfig;
    /** Where agent CLIs are found; null: the defaults (PATH and the install cache). */
    dev.ensemble.agents.cli.CliSettings cliSettings;
    /** Stands for this machine's sandbox mechanism (a machine without one); null: what the probe finds. */
    dev.ensemble.agents.process.Sandbox sandbox;
    /** Resolves keys for every run; null: the process's environment (set it so this machine's keys stay out). */
    SecretResolver secrets;

    CliHarness(Path dir) throws IOException, InterruptedException {
        this.repo = dir.resolve("repo");
        Files.createDirectories(repo);
        this.userConfig = dir.resolve("home/.config/ensemble/config.yaml");
        Files.createDirectories(userConfig.getParent());
        git("init", "-q", "-b", "main");
        git("config", "user.email", "dev@example.com");
        git("config", "user.name", "Dev");
        Files.writeString(repo.resolve("README.md"), "# test repo\n");
        git("add", "README.md");
        git("commit", "-q", "-m", "initial");
    }

    String git(String... args) throws IOException, InterruptedException {
        return gitIn(repo, args);
    }

    /** git in another folder (e.g. a second repository a test sets up). */
    static String gitIn(Path dir, String... args) throws IOException, InterruptedException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("git", "-C", dir.toString()));
        command.addAll(java.util.List.of(args));
        Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (git.waitFor() != 0) throw new IOException("git " + String.join(" ", args) + ": " + out);
        return out;
    }

    /**
     * A local model served by the scripted server's Ollama dialect, as one YAML flow mapping for a
     * {@code models:} entry: free, 32k context, tools, the same capability score for every kind.
     */
    static String scriptedModel(String id, String family, double score) {
        String capability = "{ score: " + score + ", benchmark: test }";
        return "{ provider: scripted, wire_name: " + id + ", family: " + family + ", context_window: 32768, max_output: 2048,"
                + " tokens_per_second: 50, local: true, tools: true,"
                + " pricing: { input: 0, output: 0, cached_input: 0, source: local, as_of: 2026-11-01 },"
                + " capabilities: { planning: " + capability + ", coding: " + capability + ", review: " + capability
                + ", search: " + capability + " } }";
    }

    void repoConfig(String yaml) throws IOException {
        Files.writeString(repo.resolve("ensemble.yaml"), yaml);
    }

    /** Keys from {@code env} only, no helper programs (keychain, pass): a machine with no key at all. */
    static SecretResolver secretsFrom(Map<String, String> env) {
        return new SecretResolver(env, (command, timeout) -> {
            throw new IOException("no helper programs in tests");
        });
    }

    Run run(String... args) {
        return run(Map.of(), args);
    }

    Run run(Map<String, String> env, String... args) {
        return runWithInput(env, "", args);
    }

    /** With {@code stdin} as standard input and no console, as in a pipe. */
    Run runWithInput(Map<String, String> env, String stdin, String... args) {
        return run(terminal -> new AppContext(terminal, repo, new ConfigLoader(userConfig, repo.resolve("ensemble.yaml"), env), env),
                stdin, args);
    }

    /**
     * Runs a command started in {@code workDir} (a folder outside any repository, a repository
     * without commits), with this harness's user configuration and {@code workDir}'s ensemble.yaml.
     */
    Run runIn(Path workDir, Map<String, String> env, String... args) {
        return run(terminal -> new AppContext(terminal, workDir, new ConfigLoader(userConfig, workDir.resolve("ensemble.yaml"), env), env),
                "", args);
    }

    /**
     * As the process would run with {@code env} as its whole environment: the user's file is found
     * from {@code $HOME} and {@code $XDG_CONFIG_HOME} (not this harness's {@link #userConfig}).
     */
    Run runWithEnvironment(Map<String, String> env, String... args) {
        return run(terminal -> new AppContext(terminal, repo, null, env), "", args);
    }

    private Run run(java.util.function.Function<Terminal, AppContext> context, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal terminal = new Terminal(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false,
                new java.io.ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), null);
        int code;
        try (AppContext app = context.apply(terminal)) {
            if (cliSettings != null) app.cliSettings(cliSettings);
            if (sandbox != null) app.detectedSandbox(sandbox);
            if (secrets != null) app.useSecrets(secrets);
            code = Main.run(app, args);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
