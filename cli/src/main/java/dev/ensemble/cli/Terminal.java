package dev.ensemble.cli;

import dev.ensemble.core.Redactor;
import dev.ensemble.llm.http.HttpTransport;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;

/**
 * Where commands write: stdout for results, stderr for progress and notes, with colour only when a
 * person is watching (a console, and NO_COLOR unset), so piped output stays clean.
 */
public final class Terminal {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean colour;

    public Terminal(PrintStream out, PrintStream err, boolean colour) {
        this.out = out;
        this.err = err;
        this.colour = colour;
    }

    public static Terminal system() {
        boolean colour = System.console() != null && System.getenv("NO_COLOR") == null
                && !"dumb".equals(System.getenv("TERM"));
        return new Terminal(new PrintStream(System.out, true, StandardCharsets.UTF_8),
                new PrintStream(System.err, true, StandardCharsets.UTF_8), colour);
    }

    public PrintStream out() { return out; }

    public PrintStream err() { return err; }

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
