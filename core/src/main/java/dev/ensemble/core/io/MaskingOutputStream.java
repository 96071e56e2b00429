package dev.ensemble.core.io;

import dev.ensemble.core.Redactor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 text written through here reaches the underlying stream with every registered secret
 * masked, however it was split into writes: what ensemble prints to the terminal (streamed answers
 * delta by delta included) goes through one. A possible key prefix at the end of a write is held
 * back until the next write says whether it is a key; {@link #flush} does not release it (a key
 * must not be shown half because the first half was flushed), {@link #finish} does, masked when
 * the text ended inside a key.
 */
public final class MaskingOutputStream extends OutputStream {
    private final OutputStream out;
    private final Redactor.Streaming masker;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    /** Bytes of a character split across two writes. */
    private ByteBuffer partial = ByteBuffer.allocate(0);

    public MaskingOutputStream(OutputStream out, Redactor redactor) {
        this.out = out;
        this.masker = redactor.streaming();
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) throws IOException {
        if (len == 0) return;
        ByteBuffer in = ByteBuffer.allocate(partial.remaining() + len);
        in.put(partial).put(bytes, off, len).flip();
        CharBuffer chars = CharBuffer.allocate(in.remaining() + 1);
        decoder.decode(in, chars, false);
        partial = in.slice();
        chars.flip();
        emit(masker.accept(chars));
    }

    private void emit(String text) throws IOException {
        if (!text.isEmpty()) out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    /** Writes what was held back (masked when it is the start of a key) and flushes: the end of the output. */
    public synchronized void finish() throws IOException {
        if (partial.hasRemaining()) {
            CharBuffer chars = CharBuffer.allocate(partial.remaining() + 1);
            decoder.decode(partial, chars, true);
            decoder.flush(chars);
            partial = ByteBuffer.allocate(0);
            chars.flip();
            emit(masker.accept(chars));
        }
        emit(masker.finish());
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        finish();
        out.close();
    }
}
