package dev.ensemble.agents.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputTailTest {
    @Test
    void keepsTheLastCharactersAndSaysSo() {
        OutputTail tail = new OutputTail(10);
        tail.drain(new ByteArrayInputStream("0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.UTF_8)));
        assertThat(tail.text()).isEqualTo("qrstuvwxyz");
        assertThat(tail.truncated()).isTrue();

        OutputTail small = new OutputTail(100);
        small.drain(new ByteArrayInputStream("short".getBytes(StandardCharsets.UTF_8)));
        assertThat(small.text()).isEqualTo("short");
        assertThat(small.truncated()).isFalse();
    }

    @Test
    void aCharacterSplitAcrossReadsStaysWhole() {
        byte[] bytes = "héllo wörld ✓".getBytes(StandardCharsets.UTF_8);
        // One byte per read: every multi-byte character arrives in pieces.
        InputStream trickle = new ByteArrayInputStream(bytes) {
            @Override public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        OutputTail tail = new OutputTail(100);
        tail.drain(trickle);
        assertThat(tail.text()).isEqualTo("héllo wörld ✓");
    }

    @Test
    void credentialLookingVariablesAreRemoved() {
        Map<String, String> env = new HashMap<>(Map.of("OPENAI_API_KEY", "x", "GITHUB_TOKEN", "y", "PATH", "/bin", "HOME", "/h",
                "DB_PASSWORD", "z"));
        ChildEnvironment.removeSecrets(env);
        assertThat(env).containsOnlyKeys("PATH", "HOME");
    }
}
