package dev.ensemble.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretResolverTest {
    @TempDir Path home;

    private final List<List<String>> commands = new ArrayList<>();

    private SecretResolver resolver(Map<String, String> env, boolean macOs, SecretResolver.CommandRunner.Result result) {
        return new SecretResolver(env, (command, timeout) -> {
            commands.add(command);
            assertThat(timeout).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
            if (result == null) throw new IOException("Cannot run program \"" + command.getFirst() + "\"");
            return result;
        }, macOs, home);
    }

    @Test
    void theTildeOfAFileReferenceIsTheHomeVariableNotThePasswordDatabase() throws IOException {
        Files.createDirectories(home.resolve(".secrets"));
        Files.writeString(home.resolve(".secrets/anthropic"), "sk-home-value-333333\n");
        SecretResolver secrets = new SecretResolver(Map.of("HOME", home.toString()), (command, timeout) -> {
            throw new IOException("no programs here");
        });

        assertThat(secrets.resolve(SecretRef.parse("file:~/.secrets/anthropic"))).contains("sk-home-value-333333");
    }

    @Test
    void aKeyFileOverTheLimitIsNotRead() throws IOException {
        Path big = Files.writeString(home.resolve("big"), "k".repeat(100_000));

        assertThat(resolver(Map.of(), false, null).check(SecretRef.parse("file:" + big)).reason())
                .contains("over the limit of 64 KiB");
    }

    @Test
    void anEnvironmentVariableIsResolvedAndMaskedFromThenOn() {
        SecretResolver secrets = resolver(Map.of("TEST_ENV_KEY", "  sk-env-value-111111\n"), false, null);
        SecretRef ref = SecretRef.parse("env:TEST_ENV_KEY");
        assertThat(secrets.resolve(ref)).contains("sk-env-value-111111");
        assertThat(secrets.check(ref)).isEqualTo(new SecretResolver.Resolution(true, "env:TEST_ENV_KEY is set"));
        assertThat(Redactor.global().redact("key=sk-env-value-111111")).isEqualTo("key=****");
    }

    @Test
    void aMissingVariableSaysWhichOne() {
        SecretResolver secrets = resolver(Map.of(), false, null);
        SecretRef ref = SecretRef.parse("env:NOT_THERE_KEY");
        assertThat(secrets.resolve(ref)).isEmpty();
        assertThat(secrets.check(ref)).isEqualTo(new SecretResolver.Resolution(false, "env:NOT_THERE_KEY not set"));
        assertThatThrownBy(() -> secrets.require(ref)).isInstanceOf(SecretException.class).hasMessage("env:NOT_THERE_KEY not set");
    }

    @Test
    void aFileIsReadTrimmedWithTheHomeExpanded() throws IOException {
        Files.createDirectories(home.resolve(".secrets"));
        Files.writeString(home.resolve(".secrets/openai"), "sk-file-value-222222\n\n");
        SecretResolver secrets = resolver(Map.of(), false, null);
        assertThat(secrets.resolve(SecretRef.parse("file:~/.secrets/openai"))).contains("sk-file-value-222222");
        assertThat(secrets.resolve(SecretRef.parse("file:" + home.resolve(".secrets/openai")))).contains("sk-file-value-222222");
    }

    @Test
    void aMissingFileIsNamed() {
        SecretResolver.Resolution r = resolver(Map.of(), false, null).check(SecretRef.parse("file:~/.secrets/nope"));
        assertThat(r.available()).isFalse();
        assertThat(r.reason()).contains(home.resolve(".secrets/nope").toString()).contains("not found");
    }

    @Test
    void theKeychainIsOnlyAskedOnMacOs() {
        SecretResolver.Resolution r = resolver(Map.of(), false, new SecretResolver.CommandRunner.Result(0, "sk-x-333333", ""))
                .check(SecretRef.parse("keychain:ai-secrets/OPENAI_API_KEY"));
        assertThat(r.available()).isFalse();
        assertThat(r.reason()).contains("only available on macOS");
        assertThat(commands).isEmpty();
    }

    @Test
    void onMacOsTheKeychainIsAskedThroughSecurity() {
        SecretResolver secrets = resolver(Map.of(), true, new SecretResolver.CommandRunner.Result(0, "sk-keychain-444444\n", ""));
        assertThat(secrets.resolve(SecretRef.parse("keychain:ai-secrets/OPENAI_API_KEY"))).contains("sk-keychain-444444");
        assertThat(commands).containsExactly(
                List.of("security", "find-generic-password", "-s", "ai-secrets", "-a", "OPENAI_API_KEY", "-w"));
    }

    @Test
    void passGivesItsFirstLine() {
        SecretResolver secrets = resolver(Map.of(), false,
                new SecretResolver.CommandRunner.Result(0, "sk-pass-555555\nlogin: me\nurl: x\n", ""));
        assertThat(secrets.resolve(SecretRef.parse("pass:ai/openai"))).contains("sk-pass-555555");
        assertThat(commands).containsExactly(List.of("pass", "show", "ai/openai"));
    }

    @Test
    void aFailingHelperGivesAReasonWithoutItsOutput() {
        SecretResolver failing = resolver(Map.of(), false,
                new SecretResolver.CommandRunner.Result(1, "sk-leaked-666666", "Error: ai/nope is not in the password store."));
        SecretResolver.Resolution r = failing.check(SecretRef.parse("pass:ai/nope"));
        assertThat(r.available()).isFalse();
        assertThat(r.reason()).contains("pass:ai/nope").contains("exited with 1").doesNotContain("sk-leaked-666666");

        SecretResolver missing = resolver(Map.of(), false, null);
        assertThat(missing.check(SecretRef.parse("pass:ai/openai")).reason()).contains("pass failed").contains("Cannot run program");
    }

    @Test
    void theReasonNeverHoldsTheValue() {
        SecretResolver secrets = resolver(Map.of("SHORT_KEY", "abc", "EMPTY_KEY", " ", "GOOD_KEY", "sk-good-777777"), false, null);
        SecretResolver.Resolution tooShort = secrets.check(SecretRef.parse("env:SHORT_KEY"));
        assertThat(tooShort.available()).isFalse();
        assertThat(tooShort.reason()).contains("under 6 characters").doesNotContain("abc");
        assertThat(secrets.resolve(SecretRef.parse("env:SHORT_KEY"))).isEmpty();
        assertThat(secrets.check(SecretRef.parse("env:EMPTY_KEY")).reason()).isEqualTo("env:EMPTY_KEY is empty");
        assertThat(secrets.check(SecretRef.parse("env:GOOD_KEY")).reason()).doesNotContain("sk-good-777777");
    }

    @Test
    void theRealRunnerRunsAProgramAndStopsOneThatHangs() throws IOException {
        var result = SecretResolver.CommandRunner.PROCESS.run(List.of("printf", "sk-printed-888888\\nrest"), Duration.ofSeconds(10));
        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).isEqualTo("sk-printed-888888\nrest");
        assertThatThrownBy(() -> SecretResolver.CommandRunner.PROCESS.run(List.of("sleep", "30"), Duration.ofMillis(200)))
                .isInstanceOf(IOException.class).hasMessageContaining("did not finish");
    }
}
