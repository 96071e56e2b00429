package dev.ensemble.cli;

import dev.ensemble.core.Redactor;
import dev.ensemble.core.io.MaskingOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import dev.ensemble.llm.http.HttpTransport;
import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Where commands write: stdout for results, stderr for progress and notes, with colour only when a
 * person is watching (a console, and NO_COLOR unset), so piped output stays clean. Both streams mask
 * every registered key ({@link MaskingOutputStream}), whatever a command prints and however it
 * splits it (a streamed answer arrives delta by delta): a model that repeats a key cannot get it
 * printed. {@link #release} ends the output of a command.
 */
public final class Terminal {
    private final PrintStream out;
    private final PrintStream err;
    private final MaskingOutputStream outMask;
    private final MaskingOutputStream errMask;
    private final boolean colour;
    private final InputStream in;
    private final Console console;

    /** Output only: standard input is empty and there is no console to prompt at. */
    public Terminal(PrintStream out, PrintStream err, boolean colour) {
        this(out, err, colour, InputStream.nullInputStream(), null);
    }

    /** @param console where to prompt without echo, or null when a person is not at a terminal */
    public Terminal(PrintStream out, PrintStream err, boolean colour, InputStream in, Console console) {
        this.outMask = new MaskingOutputStream(out, Redactor.global());
        this.errMask = new MaskingOutputStream(err, Redactor.global());
        this.out = new PrintStream(outMask, true, StandardCharsets.UTF_8);
        this.err = new PrintStream(errMask, true, StandardCharsets.UTF_8);
        this.colour = colour;
        this.in = in;
        this.console = console;
    }

    public static Terminal system() {
        Console console = interactiveConsole();
        boolean colour = console != null && System.getenv("NO_COLOR") == null
                && !"dumb".equals(System.getenv("TERM"));
        return new Terminal(new PrintStream(System.out, true, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8), colour, System.in, console);
    }

    public PrintStream out() { return out; }

    /**
     * Writes what the maskers held back because it could have been the start of a key (masked when
     * it was one): the end of a command's output. Writing may go on afterwards.
     */
    public void release() {
        out.flush();
        err.flush();
        try {
            outMask.finish();
            errMask.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public PrintStream err() { return err; }

    /** Standard input, for commands that read what is piped to them. */
    public InputStream in() { return in; }

    /** The console when a person is at a terminal (to prompt, to read a password without echo); empty in a pipe or script. */
    public Optional<Console> console() { return Optional.ofNullable(console); }

    /**
     * {@link System#console()} when it is a terminal. From Java 22 it may return a console for
     * redirected streams too, which then says so through {@code isTerminal()} (called reflectively:
     * ensemble is built for Java 21).
     */
    private static Console interactiveConsole() {
        Console console = System.console();
        if (console == null) return null;
        try {
            Object terminal = Console.class.getMethod("isTerminal").invoke(console);
            return Boolean.TRUE.equals(terminal) ? console : null;
        } catch (ReflectiveOperationException e) {
            return console;  // Java 21: a non-null console is a terminal
        }
    }

    /** A command's {@code --json} answer on stdout: pretty-printed, with any known key masked like everywhere else. */
    public void printJson(JsonNode node) {
        out.println(Redactor.global().redact(HttpTransport.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node)));
    }

    public String bold(String s) { return style("1", s); }

    public String dim(String s) { return style("2", s); }

    public String green(String s) { return style("32", s); }

    public String yellow(String s) { return style("33", s); }

    public String red(String s) { return style("31", s); }

    public String cyan(String s) { return style("36", s); }

    private String style(String code, String s) {
        return colour ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
    }
}
