package dev.ensemble.cli;

import java.util.IllegalFormatException;
import java.util.function.IntSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * How every command's {@code --help} is laid out: as wide as the terminal up to {@value #MAX_WIDTH}
 * columns (longer lines are hard to read), {@value #PIPED_WIDTH} when help goes to a pipe or a file,
 * and a blank line and a heading between the synopsis, the description, the arguments, the options
 * and the subcommands.
 *
 * <p>Applied when help is rendered, not when the command line is built, so a command that prints no
 * help never asks the terminal for its width (picocli runs {@code stty} for that).
 */
final class HelpLayout implements CommandLine.IHelpFactory {
    static final int MAX_WIDTH = 100;
    static final int PIPED_WIDTH = 80;

    private final IntSupplier width;

    private HelpLayout(IntSupplier width) {
        this.width = width;
    }

    /** The width of the terminal the help goes to, capped; {@value #PIPED_WIDTH} when it is not a terminal. */
    static HelpLayout forTerminal() {
        return new HelpLayout(new IntSupplier() {
            private int columns;

            @Override
            public synchronized int getAsInt() {
                // picocli's own detection: a width only when stdin and stdout are a terminal, else PIPED_WIDTH.
                if (columns == 0) columns = Math.min(MAX_WIDTH, new UsageMessageSpec().width(PIPED_WIDTH).autoWidth(true).width());
                return columns;
            }
        });
    }

    /** A fixed width, whatever the terminal: for tests, which check the layout at the widths users get. */
    static HelpLayout ofWidth(int columns) {
        return new HelpLayout(() -> columns);
    }

    @Override
    public Help create(CommandSpec spec, Help.ColorScheme colors) {
        int columns = width.getAsInt();
        UsageMessageSpec usage = spec.usageMessage();
        usage.autoWidth(false).width(columns);
        // picocli prints a heading only when its section has entries.
        usage.descriptionHeading("%n").parameterListHeading("%nArguments:%n").optionListHeading("%nOptions:%n")
                .commandListHeading("%nCommands:%n");
        return new Help(spec, colors) {
            @Override
            public String description(Object... params) {
                return wrap(usage.description(), columns);
            }

            @Override
            public String footer(Object... params) {
                return wrap(usage.footer(), columns);
            }
        };
    }

    /**
     * Paragraphs filled to the width, breaking lines only at spaces. picocli's own filling also breaks
     * after '.', '-' and '(' (Java's line BreakIterator), which splits paths and keys such as
     * {@code ~/.config/ensemble/config.yaml} at the end of a line. A paragraph's leading spaces indent
     * all its lines; a word longer than the width gets a line of its own.
     */
    static String wrap(String[] paragraphs, int width) {
        StringBuilder out = new StringBuilder();
        for (String paragraph : paragraphs) {
            for (String line : format(paragraph).split("\\R", -1)) {
                String indent = line.substring(0, line.length() - line.stripLeading().length());
                StringBuilder current = new StringBuilder(indent);
                for (String word : line.strip().split(" +")) {
                    if (word.isEmpty()) continue;
                    if (current.length() > indent.length()) {
                        if (current.length() + 1 + word.length() > width) {
                            out.append(current).append(System.lineSeparator());
                            current = new StringBuilder(indent);
                        } else {
                            current.append(' ');
                        }
                    }
                    current.append(word);
                }
                out.append(current.toString().stripTrailing()).append(System.lineSeparator());
            }
        }
        return out.toString();
    }

    /** {@code %n} and {@code %%} as picocli reads them, with its warning for a text that is not a valid format. */
    private static String format(String text) {
        try {
            return String.format(text);
        } catch (IllegalFormatException e) {
            CommandLine.tracer().warn("Could not format '%s' (%s): write a percent sign as %%%%", text, e.getMessage());
            return text;
        }
    }
}
