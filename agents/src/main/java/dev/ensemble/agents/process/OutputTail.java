package dev.ensemble.agents.process;

import dev.ensemble.core.io.MaskingReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/**
 * The last {@code limit} characters of a child's output stream, read to its end so the child never
 * blocks on a full pipe and a chatty one cannot fill the memory. Decoded through a reader, so a
 * character split across two reads stays whole, and masked ({@link MaskingReader}) before it is
 * cut: a key at the cut would otherwise leave a fragment no later masking recognises.
 */
public final class OutputTail {
    private final int limit;
    private final StringBuilder text = new StringBuilder();
    private boolean truncated;

    public OutputTail(int limit) {
        this.limit = limit;
    }

    /** Reads {@code in} to its end (or until the child is killed); call it on its own thread. */
    public void drain(InputStream in) {
        char[] buffer = new char[8192];
        try (Reader reader = new MaskingReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (int n; (n = reader.read(buffer)) >= 0; ) append(buffer, n);
        } catch (IOException e) {
            // Killed or closed: what arrived is all there is.
        }
    }

    private synchronized void append(char[] buffer, int n) {
        text.append(buffer, 0, n);
        // Trimmed in batches: one delete per doubling instead of one per read.
        if (text.length() > 2 * limit) trim();
    }

    private void trim() {
        if (text.length() > limit) {
            text.delete(0, text.length() - limit);
            truncated = true;
        }
    }

    /** What was kept: the whole output, or its last {@code limit} characters. */
    public synchronized String text() {
        trim();
        return text.toString();
    }

    /** Whether earlier output was dropped. */
    public synchronized boolean truncated() {
        trim();
        return truncated;
    }
}
