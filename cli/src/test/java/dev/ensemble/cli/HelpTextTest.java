package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Every command's {@code --help}, rendered at the widths users get (80 when piped, up to 100 in a
 * terminal): complete one-sentence summaries in the command lists, no word broken across lines, no
 * line over the width, and no picocli warning (an unescaped {@code %} in a description).
 */
class HelpTextTest {
    @TempDir Path dir;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        cli = new CliHarness(dir);
    }

    /** Every command of the tree by its path ("", "route", "route eval"), in the order help lists them. */
    private static Map<String, CommandLine> commands(CommandLine root) {
        Map<String, CommandLine> all = new LinkedHashMap<>();
        collect(root, "", all);
        return all;
    }

    private static void collect(CommandLine command, String path, Map<String, CommandLine> all) {
        all.put(path, command);
        for (CommandLine sub : new LinkedHashSet<>(command.getSubcommands().values())) {
            collect(sub, (path + " " + sub.getCommandName()).strip(), all);
        }
    }

    /** The command tree, built once per test; help is rendered from it at any width. */
    private CommandLine tree() {
        AppContext app = new AppContext(new Terminal(System.out, System.err, false), cli.repo,
                new ConfigLoader(cli.userConfig, cli.repo.resolve("ensemble.yaml"), Map.of()));
        contexts.add(app);
        return Main.commandLine(app, HelpLayout.ofWidth(HelpLayout.PIPED_WIDTH));
    }

    private final List<AppContext> contexts = new ArrayList<>();

    @AfterEach
    void closeContexts() {
        contexts.forEach(AppContext::close);
    }

    /** Renders every command's help at this width, failing on anything picocli warns about while doing it. */
    private static Map<String, String> renderAll(CommandLine root, int width) throws Exception {
        root.setHelpFactory(HelpLayout.ofWidth(width));
        Map<String, String> rendered = new LinkedHashMap<>();
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        // picocli writes its warnings to the System.err it saw when it started, not to the command's err.
        Field stream = CommandLine.Tracer.class.getDeclaredField("stream");
        stream.setAccessible(true);
        Object before = stream.get(CommandLine.tracer());
        stream.set(CommandLine.tracer(), new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            commands(root).forEach((path, command) -> rendered.put(path, command.getUsageMessage(CommandLine.Help.Ansi.OFF)));
        } finally {
            stream.set(CommandLine.tracer(), before);
        }
        assertThat(warnings.toString(StandardCharsets.UTF_8)).as("picocli's warnings while rendering help").isEmpty();
        return rendered;
    }

    /** At every width help can get, picocli's narrowest (55) to the cap: a width not tested is where a path breaks. */
    @Test
    void everyHelpFitsItsWidthAndBreaksLinesOnlyBetweenWords() throws Exception {
        CommandLine root = tree();
        Map<String, CommandLine> commands = commands(root);
        assertThat(commands).containsKeys("", "route", "route eval", "config check", "memory search", "completion");
        List<String> problems = new ArrayList<>();
        for (int width = 55; width <= HelpLayout.MAX_WIDTH; width++) {
            int columns = width;
            renderAll(root, width).forEach((path, help) -> {
                String prose = prose(commands.get(path).getCommandSpec());
                String[] lines = help.split("\\R");
                for (int i = 0; i < lines.length; i++) {
                    if (lines[i].length() > columns) problems.add("ensemble " + path + " at " + columns + ": line too long: " + lines[i]);
                    if (i + 1 == lines.length || lines[i].isBlank() || lines[i + 1].isBlank()) continue;
                    String[] left = lines[i].strip().split("\\s+");
                    String end = left[left.length - 1];
                    String start = lines[i + 1].strip().split("\\s+")[0];
                    // A break is inside a word when the text has the two pieces joined and never with a space between.
                    if (prose.contains(end + start) && !prose.contains(end + " " + start)) {
                        problems.add("ensemble " + path + " at " + columns + ": '" + end + start + "' broken after '" + end + "'");
                    }
                }
            });
        }
        assertThat(problems).isEmpty();
    }

    /** Every text of a command that help wraps: description, footer, exit codes, options and arguments. */
    private static String prose(CommandSpec spec) {
        UsageMessageSpec usage = spec.usageMessage();
        List<String> texts = new ArrayList<>();
        texts.addAll(List.of(usage.description()));
        texts.addAll(List.of(usage.footer()));
        texts.addAll(usage.exitCodeList().values());
        for (ArgSpec arg : spec.args()) texts.addAll(List.of(arg.description()));
        for (CommandLine sub : spec.subcommands().values()) texts.addAll(List.of(sub.getCommandSpec().usageMessage().description()));
        return String.join("\n", texts).replace("%n", "\n").replace("%%", "%").replaceAll("[ \t]+", " ");
    }

    @Test
    void everyCommandListShowsEachSummaryAsOneCompleteSentence() throws Exception {
        CommandLine root = tree();
        Map<String, String> rendered = renderAll(root, HelpLayout.PIPED_WIDTH);
        List<String> problems = new ArrayList<>();
        commands(root).forEach((path, command) -> {
            List<String> lines = List.of(rendered.get(path).split("\\R"));
            for (CommandLine sub : new LinkedHashSet<>(command.getSubcommands().values())) {
                // picocli lists a command by its header, else by the first line of its description.
                UsageMessageSpec usage = sub.getCommandSpec().usageMessage();
                String[] summaries = usage.header().length > 0 ? usage.header() : usage.description();
                String name = ("ensemble " + path + " " + sub.getCommandName()).replace("  ", " ");
                if (summaries.length == 0) {
                    problems.add(name + ": no description");
                    continue;
                }
                String summary = summaries[0];
                if (!summary.matches("[A-Z].*[.!?]") || summary.contains("%n")) {
                    problems.add(name + ": summary is not one sentence: " + summary);
                }
                // Shown whole on the command's own line of its parent's list, not cut or wrapped.
                boolean whole = lines.stream().anyMatch(l -> l.matches("  " + java.util.regex.Pattern.quote(sub.getCommandName())
                        + " +" + java.util.regex.Pattern.quote(summary)));
                if (!whole) problems.add(name + ": summary not on one line of `ensemble " + path + " --help`: " + summary);
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void aCommandWithoutItsSubcommandPrintsTheSameHelpAsHelp() {
        for (String[] command : List.of(new String[0], new String[] {"config"}, new String[] {"memory"})) {
            List<String> withHelp = new ArrayList<>(List.of(command));
            withHelp.add("--help");
            CliHarness.Run plain = cli.run(command);
            CliHarness.Run help = cli.run(withHelp.toArray(String[]::new));
            assertThat(plain.exitCode()).isZero();
            assertThat(help.exitCode()).isZero();
            assertThat(plain.out()).as(String.join(" ", command)).isEqualTo(help.out()).startsWith("Usage: ensemble");
        }
    }

    @Test
    void helpOnAPipeIsEightyColumnsWide() {
        CliHarness.Run help = cli.run("go", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out().lines()).allMatch(l -> l.length() <= HelpLayout.PIPED_WIDTH);
        assertThat(help.out().lines().mapToInt(String::length).max().orElse(0)).isGreaterThan(70);
        assertThat(help.err()).isEmpty();
    }
}
