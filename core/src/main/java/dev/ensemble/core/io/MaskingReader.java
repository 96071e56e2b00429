package dev.ensemble.core.io;

import dev.ensemble.core.Redactor;
import java.io.IOException;
import java.io.Reader;

/**
 * A reader whose text has every registered secret masked, read through a
 * {@link Redactor.Streaming} masker: a key split across two reads of the underlying reader is
 * still masked whole. Put it right behind the decoder of a child's output, before anything keeps
 * a head or a tail of that output: whatever is cut afterwards is cut in masked text.
 */
public final class MaskingReader extends Reader {
    private final Reader in;
    private final Redactor.Streaming masker;
    private final StringBuilder ready = new StringBuilder();
    private final char[] buffer = new char[8192];
    private boolean ended;

    public MaskingReader(Reader in, Redactor redactor) {
        this.in = in;
        this.masker = redactor.streaming();
    }

    public MaskingReader(Reader in) {
        this(in, Redactor.global());
    }

    @Override
    public int read(char[] target, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (ready.isEmpty()) {
            if (ended) return -1;
            int n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                ended = true;
                ready.append(masker.finish());
            } else {
                ready.append(masker.accept(java.nio.CharBuffer.wrap(buffer, 0, n)));
            }
        }
        int n = Math.min(len, ready.length());
        ready.getChars(0, n, target, off);
        ready.delete(0, n);
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
