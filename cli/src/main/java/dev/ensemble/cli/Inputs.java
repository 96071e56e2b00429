package dev.ensemble.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Command-line text that may come from standard input. */
final class Inputs {
    private Inputs() {}

    /** The argument itself, or all of standard input when the argument is {@code -} (for long prompts and pipes). */
    static String argOrStdin(String arg) throws IOException {
        if (!"-".equals(arg)) return arg;
        try (InputStream in = System.in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
