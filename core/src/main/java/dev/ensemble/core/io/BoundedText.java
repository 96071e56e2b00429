package dev.ensemble.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * Reads a text file that a user or a model controls without trusting it: configuration layers,
 * rule files, plans. {@code Files.readString} on a symlink to {@code /dev/zero} runs out of memory,
 * and on a FIFO it waits for ever; here the path must be a regular file (after symlinks), its size
 * within a limit, at most that many bytes are read whatever the size claimed, and the bytes must be
 * UTF-8. Each refusal is an {@link InputLimitException} whose message says which limit was hit.
 */
public final class BoundedText {
    private BoundedText() {
    }

    /**
     * @param maxBytes the largest file accepted
     * @throws InputLimitException when the path is not a regular file, is larger than {@code maxBytes},
     *                             or is not UTF-8 text
     * @throws IOException         when it cannot be read (missing, no permission)
     */
    public static String read(Path file, long maxBytes) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);  // follows symlinks
        if (!attributes.isRegularFile()) {
            throw new InputLimitException("is not a regular file (" + kind(file, attributes)
                    + "); only a plain file is read");
        }
        if (attributes.size() > maxBytes) {
            throw new InputLimitException("is " + size(attributes.size()) + " (" + attributes.size() + " bytes), over the limit of "
                    + size(maxBytes) + " for this file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            // the size can lie (a file growing while read, /proc): never read past the limit
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        }
        if (bytes.length > maxBytes) {
            throw new InputLimitException("is larger than the limit of " + size(maxBytes) + " for this file");
        }
        return utf8(bytes);
    }

    /**
     * Strict UTF-8 (a malformed byte is an error, not a replacement character), with a BOM dropped.
     *
     * @throws InputLimitException naming the offset of the first byte that is not UTF-8
     */
    public static String utf8(byte[] bytes) throws InputLimitException {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try {
            String text = decoder.decode(buffer).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new InputLimitException("is not UTF-8 text (an invalid byte at offset " + buffer.position() + ")");
        }
    }

    /** "1 MiB", "12.5 KiB", "300 bytes". */
    public static String size(long bytes) {
        if (bytes < 1024) return bytes + " bytes";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return (value == Math.rint(value) ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.1f", value))
                + " " + units[unit];
    }

    private static String kind(Path file, BasicFileAttributes attributes) {
        if (attributes.isDirectory()) return "a folder";
        String what = attributes.isOther() ? "a device, FIFO or socket" : "not a plain file";
        return Files.isSymbolicLink(file) ? "a symbolic link to " + what : what;
    }

    /** A file or document over one of the limits on what ensemble reads; the message names the limit. */
    public static final class InputLimitException extends IOException {
        public InputLimitException(String message) {
            super(message);
        }
    }
}
