package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.agents.cli.CliSettings;
import dev.ensemble.core.config.StoreSettings;
import dev.ensemble.engine.store.Store;
import dev.ensemble.llm.SecretResolver;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Reply;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secrets battery: keys given by env:, file: and pass: references, one configured and never
 * used, and a credential in ensemble's environment (GITHUB_TOKEN). A model repeats every key in
 * its answers and tool calls, a provider repeats the key it was given in a 401, and a fake Claude
 * Code prints them in its tool results (past the 2,000-character cut), its final error and its
 * stderr. After ask (streamed), chat, consensus, exec with the fake CLI and exec with the builtin
 * agent, no 8-character fragment of any key is in any output stream, any file of the repository
 * (.ensemble/ included: transcripts, reports, the database file), or any row of any table.
 */
class SecretsBatteryTest {
    static final String ENV_KEY = "sk-env-Hq4Zt8Wm2Rv6Xn1Kc3";
    static final String FILE_KEY = "sk-ant-file-Pb7Ld2Sj9Fg4Ty6Q";
    static final String PASS_KEY = "sk-pass-Vw5Nc8Jr1Mz3Ke7Ua";
    static final String UNUSED_KEY = "sk-unused-Gx2Bq9Dt4Lw6Hy8P";
    static final String TOKEN = "ens-token-Rk7Fm3Zs5Qp1Wc9V";
    static final List<String> KEYS = List.of(ENV_KEY, FILE_KEY, PASS_KEY, UNUSED_KEY, TOKEN);
    static final String ALL = String.join(" ", KEYS);

    @TempDir Path dir;
    ScriptedModelServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    @Test
    void noFragmentOfAnyKeyIsShownStoredOrWritten() throws Exception {
        server = ScriptedModelServer.start();
        CliHarness cli = new CliHarness(dir);
        Path keyFile = dir.resolve("anthropic.key");
        Files.writeString(keyFile, FILE_KEY + "\n");
        Path envDump = dir.resolve("claude-env.txt");
        cli.cliSettings = CliSettings.defaults().withBinary("claude", fakeClaude(envDump)).withHomeRoot(dir.resolve("homes"))
                .withCacheDir(dir.resolve("no-cache")).withVersionTimeout(Duration.ofSeconds(20));
        Map<String, String> env = Map.of("BATTERY_ENV_KEY", ENV_KEY, "BATTERY_UNUSED_KEY", UNUSED_KEY, "GITHUB_TOKEN", TOKEN,
                "HOME", dir.resolve("home").toString());
        cli.secrets = new SecretResolver(env, (command, timeout) -> command.equals(List.of("pass", "show", "battery/openai"))
                ? new SecretResolver.CommandRunner.Result(0, PASS_KEY + "\n", "")
                : new SecretResolver.CommandRunner.Result(1, "", "no such entry"), false, dir.resolve("home"));
        cli.repoConfig("""
                default_model: local-m
                retry: { max_attempts: 1 }
                policy: { sandbox: 'off' }   # the fake CLI dumps its environment outside its worktree
                providers:
                  scripted: { wire: ollama, base_url: "%1$s", local: true, api_key: "env:BATTERY_ENV_KEY" }
                  anthro: { wire: anthropic, base_url: "%1$s", api_key: "file:%2$s" }
                  passed: { wire: openai-chat, base_url: "%1$s/v1", api_key: "pass:battery/openai" }
                  unused: { wire: openai-chat, base_url: "http://127.0.0.1:9/v1", api_key: "env:BATTERY_UNUSED_KEY" }
                models:
                  local-m: %3$s
                  claude-m: { provider: anthro, wire_name: claude-m, family: claude, context_window: 200000, max_output: 4096,
                    tokens_per_second: 50, tools: true, pricing: { input: 0, output: 0, cached_input: 0, source: test, as_of: 2026-11-01 },
                    capabilities: { coding: { score: 7, benchmark: test }, review: { score: 7, benchmark: test } } }
                  pass-m: { provider: passed, wire_name: pass-m, family: gpt, context_window: 200000, max_output: 4096,
                    tokens_per_second: 50, tools: true, pricing: { input: 0, output: 0, cached_input: 0, source: test, as_of: 2026-11-01 },
                    capabilities: { coding: { score: 7, benchmark: test } } }
                  unused-m: { provider: unused, wire_name: unused-m, family: gpt, context_window: 200000, max_output: 4096,
                    tokens_per_second: 50, tools: true, pricing: { input: 0, output: 0, cached_input: 0, source: test, as_of: 2026-11-01 },
                    capabilities: { coding: { score: 1, benchmark: test } } }
                """.formatted(server.baseUrl(), keyFile, CliHarness.scriptedModel("local-m", "qwen", 8)));
        server.localModels(List.of("local-m"));
        // The model repeats every key: in text, in tool calls, in its finish summary.
        server.rule(Rule.fault(new Fault.HttpError(401)).forModel("pass-m").named("401 repeats the key"));
        server.rule(Rule.answer(Reply.toolCall("write_file", "{\"path\":\"notes.txt\",\"content\":\"hello\\n\"}"))
                .whenTools(true).whenToolResult(false).named("write"));
        server.rule(Rule.answer(Reply.toolCall("read_file", "{\"path\":\"" + ALL + "\"}")).whenTools(true).whenToolResult(true)
                .times(1).named("a tool call with the keys"));
        server.rule(Rule.answer(Reply.toolCall("finish", "{\"summary\":\"done: " + ALL + "\"}")).whenTools(true).whenToolResult(true)
                .named("finish"));
        server.rule(Rule.text("APPROVED. the keys are " + ALL + " and again " + ALL).whenTools(false).named("repeat"));

        List<CliHarness.Run> runs = new ArrayList<>();
        runs.add(cli.run(env, "ask", "what are the keys?"));
        runs.add(cli.run(env, "chat", "--implementer", "local-m", "--reviewer", "claude-m", "--rounds", "1", "write it"));
        runs.add(cli.run(env, "consensus", "--models", "local-m,claude-m,pass-m", "--synthesizer", "local-m", "which?"));
        runs.add(cli.run(env, "exec", "--agent", "claude", "--model", "claude-m", "write hello.txt"));
        runs.add(cli.run(env, "exec", "--agent", "builtin", "--model", "local-m", "write notes"));
        runs.add(cli.run(env, "exec", "--agent", "builtin", "--model", "local-m", "--json", "write notes again"));
        runs.add(cli.run(env, "runs"));
        runs.add(cli.run(env, "usage", "--json"));
        assertThat(runs.getFirst().exitCode()).as(runs.getFirst().all()).isZero();
        assertThat(runs.getFirst().out()).as("the streamed answer, masked").contains("the keys are ****");
        assertThat(runs.get(3).exitCode()).as(runs.get(3).all()).isEqualTo(ExitCodes.FAILED);

        Map<String, String> seen = new LinkedHashMap<>();
        for (int i = 0; i < runs.size(); i++) seen.put("run " + i + " output", runs.get(i).all());
        try (Stream<Path> files = Files.walk(cli.repo)) {
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !cli.repo.relativize(p).startsWith(".git")).toList()) {
                seen.put(cli.repo.relativize(f).toString(), new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(seen).as("transcripts and the database were written").containsKey(".ensemble/ensemble.db");
        try (Store store = Store.open(StoreSettings.DEFAULT, cli.repo, ref -> null)) {
            List<String> tables = store.jdbi().withHandle(h -> h.createQuery(
                    "SELECT name FROM sqlite_master WHERE type = 'table'").mapTo(String.class).list());
            for (String table : tables) {
                seen.put("table " + table, store.jdbi().withHandle(h -> h.createQuery("SELECT * FROM \"" + table + "\"")
                        .mapToMap().list()).toString());
            }
            assertThat(seen.get("table agent_runs")).as("the failures were recorded").contains("claude");
        }
        for (var entry : seen.entrySet()) {
            for (String key : KEYS) {
                for (int i = 0; i + 8 <= key.length(); i++) {
                    assertThat(entry.getValue()).as(entry.getKey() + " holds a fragment of a key").doesNotContain(key.substring(i, i + 8));
                }
            }
        }

        // The fake CLI got its own model's key and no other: not another provider's, not a token of ensemble's environment.
        String childEnv = Files.readString(envDump);
        // Through the gateway the CLI holds its attempt's key, never the provider's.
        assertThat(childEnv).contains("ANTHROPIC_API_KEY=ens-att-");
        for (String key : List.of(FILE_KEY, ENV_KEY, PASS_KEY, UNUSED_KEY, TOKEN)) assertThat(childEnv).doesNotContain(key);
        assertThat(childEnv).doesNotContain("GITHUB_TOKEN").doesNotContain("ENSEMBLE_TOKEN").doesNotContain("BATTERY_");
    }

    /**
     * Claude Code's stream-json: it dumps its environment, "reads" credentials and shows them in a
     * tool result past the 2,000-character cut, repeats every key, and ends in an error whose message
     * and stderr hold them.
     */
    private Path fakeClaude(Path envDump) throws IOException {
        String padding = "x".repeat(1995);
        String script = """
                #!/bin/sh
                if [ "$1" = "--version" ]; then echo "2.1.197 (Claude Code)"; exit 0; fi
                env > '%1$s'
                echo '{"type":"system","subtype":"init","session_id":"sess-b","model":"claude-m"}'
                echo '{"type":"assistant","session_id":"sess-b","message":{"content":[{"type":"tool_use","id":"t1","name":"Bash","input":{"command":"cat creds %2$s"}}]}}'
                echo '{"type":"user","session_id":"sess-b","message":{"content":[{"type":"tool_result","tool_use_id":"t1","content":"%3$s%2$s"}]}}'
                echo '{"type":"assistant","session_id":"sess-b","message":{"content":[{"type":"text","text":"found %2$s"}]}}'
                echo '{"type":"result","subtype":"error_during_execution","is_error":true,"result":"failed with %2$s","session_id":"sess-b","usage":{"input_tokens":10,"output_tokens":5}}'
                echo "fatal: %2$s" >&2
                printf '%%s' '%3$s%4$s' >&2
                exit 1
                """.formatted(envDump, ALL, padding, UNUSED_KEY);
        Path fake = dir.resolve("bin/claude");
        Files.createDirectories(fake.getParent());
        Files.writeString(fake, script);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        return fake;
    }
}
