package dev.ensemble.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.SecretRef;
import dev.ensemble.core.UserDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three secrets stores, the choice between them, and the resolver's fallback from an unset env: reference. */
class SecretStoreTest {
    private static final String VALUE = "sk-stored-value-5e8d1c";

    @TempDir Path dir;

    /** Records every program run and what it got on standard input; answers from a queue. */
    static final class Programs implements SecretResolver.CommandRunner {
        final List<List<String>> commands = new ArrayList<>();
        final List<String> inputs = new ArrayList<>();
        final List<Result> answers = new ArrayList<>();

        Programs answer(int exit, String stdout) {
            answers.add(new Result(exit, stdout, ""));
            return this;
        }

        @Override
        public Result run(List<String> command, Duration timeout) {
            return run(command, "", timeout);
        }

        @Override
        public Result run(List<String> command, String input, Duration timeout) {
            commands.add(command);
            inputs.add(input);
            return answers.isEmpty() ? new Result(0, "", "") : answers.removeFirst();
        }
    }

    @Test
    void theFileStoreWritesOne0600FilePerKeyInA0700Folder() throws IOException {
        FileSecretStore store = new FileSecretStore(dir.resolve("config/ensemble/secrets"));
        store.put("OPENAI_API_KEY", VALUE);
        Path file = dir.resolve("config/ensemble/secrets/OPENAI_API_KEY");
        assertThat(Files.readString(file)).isEqualTo(VALUE + "\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(store.mode("OPENAI_API_KEY")).isEqualTo("0600");
        assertThat(store.names()).containsExactly("OPENAI_API_KEY");
        assertThat(store.contains("OPENAI_API_KEY")).isTrue();
        assertThat(store.ref("OPENAI_API_KEY")).isEqualTo(new SecretRef.File(file.toString()));

        // A folder someone widened is narrowed again on the next write.
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        store.put("GEMINI_API_KEY", VALUE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        assertThat(store.names()).containsExactly("GEMINI_API_KEY", "OPENAI_API_KEY");

        assertThat(store.remove("OPENAI_API_KEY")).isTrue();
        assertThat(store.remove("OPENAI_API_KEY")).isFalse();
        assertThatThrownBy(() -> store.put("../escape", VALUE)).isInstanceOf(SecretStore.SecretStoreException.class)
                .hasMessageNotContaining(VALUE);
        assertThat(dir.resolve("config/ensemble/escape")).doesNotExist();
    }

    @Test
    void passGetsTheValueOnItsInputNeverAsAnArgument() throws IOException {
        Path passDir = dir.resolve("password-store");
        Programs programs = new Programs();
        PassSecretStore store = new PassSecretStore(passDir, programs);
        store.put("ANTHROPIC_API_KEY", VALUE);
        assertThat(programs.commands).containsExactly(List.of("pass", "insert", "-m", "-f", "ensemble/ANTHROPIC_API_KEY"));
        assertThat(programs.inputs).containsExactly(VALUE + "\n");
        assertThat(store.ref("ANTHROPIC_API_KEY")).isEqualTo(new SecretRef.Pass("ensemble/ANTHROPIC_API_KEY"));

        Files.createDirectories(passDir.resolve("ensemble"));
        Files.writeString(passDir.resolve("ensemble/ANTHROPIC_API_KEY.gpg"), "encrypted");
        assertThat(store.names()).containsExactly("ANTHROPIC_API_KEY");
        assertThat(store.contains("ANTHROPIC_API_KEY")).isTrue();
        assertThat(store.remove("ANTHROPIC_API_KEY")).isTrue();
        assertThat(programs.commands.getLast()).containsExactly("pass", "rm", "-f", "ensemble/ANTHROPIC_API_KEY");

        programs.answers.add(new SecretResolver.CommandRunner.Result(1, "", "gpg: no public key\n"));
        assertThatThrownBy(() -> store.put("ANTHROPIC_API_KEY", VALUE)).hasMessageContaining("gpg: no public key")
                .hasMessageNotContaining(VALUE);
    }

    @Test
    void theKeychainGetsTheValueThroughSecurityInteractiveModeAndIsReadBack() {
        Programs programs = new Programs().answer(0, "").answer(0, "sk-\"quoted\\value\n");
        KeychainSecretStore store = new KeychainSecretStore(programs);
        store.put("OPENAI_API_KEY", "sk-\"quoted\\value");
        assertThat(programs.commands.getFirst()).containsExactly("security", "-i");
        assertThat(programs.inputs.getFirst())
                .isEqualTo("add-generic-password -U -s ai-secrets -a OPENAI_API_KEY -w \"sk-\\\"quoted\\\\value\"\n");
        for (List<String> command : programs.commands) assertThat(String.join(" ", command)).doesNotContain("quoted");
        assertThat(store.ref("OPENAI_API_KEY")).isEqualTo(new SecretRef.Keychain("ai-secrets", "OPENAI_API_KEY"));

        // Interactive mode may exit 0 after failing: a read-back that differs is a failure.
        Programs failing = new Programs().answer(0, "").answer(44, "");
        assertThatThrownBy(() -> new KeychainSecretStore(failing).put("OPENAI_API_KEY", VALUE))
                .isInstanceOf(SecretStore.SecretStoreException.class).hasMessageNotContaining(VALUE);
        assertThatThrownBy(() -> store.put("OPENAI_API_KEY", "two\nlines")).hasMessageContaining("line break");
    }

    @Test
    void theKeychainListsOnlyItsServicesGenericPasswords() {
        String dump = """
                keychain: "/Users/me/Library/Keychains/login.keychain-db"
                version: 512
                class: "genp"
                attributes:
                    "acct"<blob>="OPENAI_API_KEY"
                    "svce"<blob>="ai-secrets"
                keychain: "/Users/me/Library/Keychains/login.keychain-db"
                class: "genp"
                attributes:
                    "acct"<blob>="me@example.com"
                    "svce"<blob>="some-other-app"
                keychain: "/Users/me/Library/Keychains/login.keychain-db"
                class: "inet"
                attributes:
                    "acct"<blob>="WEB_LOGIN"
                    "svce"<blob>="ai-secrets"
                keychain: "/Users/me/Library/Keychains/login.keychain-db"
                class: "genp"
                attributes:
                    "svce"<blob>="ai-secrets"
                    "acct"<blob>="ANTHROPIC_API_KEY"
                """;
        assertThat(KeychainSecretStore.parseDump(dump)).containsExactly("ANTHROPIC_API_KEY", "OPENAI_API_KEY");
    }

    @Test
    void theStoreIsTheKeychainOnMacOsPassWhereItIsSetUpElseFiles() throws IOException {
        Path home = dir.resolve("home");
        Map<String, String> env = Map.of("HOME", home.toString());
        assertThat(SecretStores.choose(env, new Programs(), true)).isInstanceOf(KeychainSecretStore.class);
        SecretStore files = SecretStores.choose(env, new Programs(), false);
        assertThat(files).isInstanceOf(FileSecretStore.class);
        assertThat(((FileSecretStore) files).folder()).isEqualTo(home.resolve(".config/ensemble/secrets"));
        assertThat(((FileSecretStore) SecretStores.choose(Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", dir.resolve("xdg").toString()),
                new Programs(), false)).folder()).isEqualTo(dir.resolve("xdg/ensemble/secrets"));

        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path pass = Files.writeString(bin.resolve("pass"), "#!/bin/sh\n");
        pass.toFile().setExecutable(true);
        Map<String, String> withPass = Map.of("HOME", home.toString(), "PATH", bin.toString());
        assertThat(SecretStores.choose(withPass, new Programs(), false)).as("pass without a store set up").isInstanceOf(FileSecretStore.class);
        Files.createDirectories(home.resolve(".password-store"));
        Files.writeString(home.resolve(".password-store/.gpg-id"), "me@example.com\n");
        assertThat(SecretStores.choose(withPass, new Programs(), false)).isInstanceOf(PassSecretStore.class);
    }

    @Test
    void anUnsetEnvReferenceFallsBackToTheStoredKeyAndASetVariableWins() {
        FileSecretStore store = new FileSecretStore(dir.resolve("secrets"));
        store.put("ANTHROPIC_API_KEY", VALUE);
        SecretResolver resolver = new SecretResolver(Map.of(), new Programs(), false, dir, store);
        SecretRef ref = SecretRef.parse("env:ANTHROPIC_API_KEY");
        assertThat(resolver.resolve(ref)).contains(VALUE);
        assertThat(resolver.check(ref).reason()).startsWith("ANTHROPIC_API_KEY from ensemble secrets (" + dir.resolve("secrets/ANTHROPIC_API_KEY"))
                .doesNotContain(VALUE);
        assertThat(resolver.check(SecretRef.parse("env:OPENAI_API_KEY"))).isEqualTo(new SecretResolver.Resolution(false, "env:OPENAI_API_KEY not set"));

        SecretResolver withVariable = new SecretResolver(Map.of("ANTHROPIC_API_KEY", "sk-from-the-variable"), new Programs(), false, dir, store);
        assertThat(withVariable.resolve(ref)).contains("sk-from-the-variable");
        assertThat(new SecretResolver(Map.of(), new Programs(), false, dir).resolve(ref)).as("no store, no fallback").isEmpty();
    }

    @Test
    void userDirsHonourHomeAndXdgConfigHomeFromTheEnvironment() {
        UserDirs dirs = new UserDirs(Map.of("HOME", "/tmp/h", "XDG_CONFIG_HOME", "relative/ignored"));
        assertThat(dirs.home()).isEqualTo(Path.of("/tmp/h"));
        assertThat(dirs.configDir()).isEqualTo(Path.of("/tmp/h/.config/ensemble"));
        assertThat(new UserDirs(Map.of("HOME", "/tmp/h", "XDG_CONFIG_HOME", "/tmp/x")).configDir()).isEqualTo(Path.of("/tmp/x/ensemble"));
        assertThat(new UserDirs(Map.of()).home()).isEqualTo(Path.of(System.getProperty("user.home")));
    }
}
