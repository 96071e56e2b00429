package dev.ensemble.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.io.MaskingOutputStream;
import dev.ensemble.core.io.MaskingReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A key split across deltas, writes or reads is masked whole, and no piece ever shows a fragment of it. */
class StreamingRedactorTest {
    private static final String KEY = "sk-stream-Zq81xWv3Lm5Rt7Yp";

    private Redactor redactor() {
        Redactor r = new Redactor();
        r.register(KEY);
        return r;
    }

    @Test
    void aKeySplitAcrossDeltasIsMaskedAndNoDeltaShowsAFragment() {
        Redactor.Streaming masker = redactor().streaming();
        StringBuilder shown = new StringBuilder();
        String answer = "your key is " + KEY + ", keep it.";
        for (int i = 0; i < answer.length(); i += 3) {
            shown.append(masker.accept(answer.substring(i, Math.min(answer.length(), i + 3))));
            for (int f = 0; f + 4 <= KEY.length(); f++) assertThat(shown.toString()).doesNotContain(KEY.substring(f, f + 4));
        }
        shown.append(masker.finish());
        assertThat(shown.toString()).isEqualTo("your key is ****, keep it.");
    }

    @Test
    void aStreamThatEndsInsideAKeyEndsWithAMaskNotAPrefix() {
        Redactor.Streaming masker = redactor().streaming();
        String shown = masker.accept("cut off at " + KEY.substring(0, 12)) + masker.finish();
        assertThat(shown).isEqualTo("cut off at ****");
        // A short prefix says nothing of a key and is printed as it is.
        Redactor.Streaming other = redactor().streaming();
        assertThat(other.accept("a list of ") + other.accept("sk") + other.finish()).isEqualTo("a list of sk");
    }

    @Test
    void anOutputStreamMasksWhateverTheWritesAndTheEncoding() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        MaskingOutputStream out = new MaskingOutputStream(sink, redactor());
        byte[] bytes = ("héllo « " + KEY + " » ✓\n").getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            out.write(b);
            out.flush();
            assertThat(sink.toString(StandardCharsets.UTF_8)).doesNotContain(KEY.substring(0, 8));
        }
        out.finish();
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("héllo « **** » ✓\n");
    }

    @Test
    void aReaderMasksBeforeAnythingDownstreamCutsTheText() throws IOException {
        // Reads of 5 characters: the key arrives in six pieces.
        Reader slow = new Reader() {
            final Reader in = new StringReader("x".repeat(1995) + KEY + "tail");
            @Override public int read(char[] b, int off, int len) throws IOException { return in.read(b, off, Math.min(len, 5)); }
            @Override public void close() {}
        };
        StringBuilder all = new StringBuilder();
        try (Reader reader = new MaskingReader(slow, redactor())) {
            char[] buffer = new char[7];
            for (int n; (n = reader.read(buffer)) >= 0; ) all.append(buffer, 0, n);
        }
        assertThat(all.toString()).isEqualTo("x".repeat(1995) + "****tail");
        // A cut at 2,000 characters, made after masking, leaves no fragment.
        assertThat(all.substring(0, 2000)).doesNotContain(KEY.substring(0, 5));
    }
}
