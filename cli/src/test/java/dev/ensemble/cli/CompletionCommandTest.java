package dev.ensemble.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ensemble.core.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `ensemble completion bash|zsh|fish`: scripts the shells accept, generated from the command tree so
 * that every command, at every level, is completed. bash is always checked (git needs it anyway);
 * fish and zsh only where installed.
 */
class CompletionCommandTest {
    @TempDir Path dir;
    CliHarness cli;

    @BeforeEach
    void setUp() throws Exception {
        cli = new CliHarness(dir);
    }

    /** Every command path of the tree: "demo", "route", "route eval", ... */
    private List<String> commandPaths() {
        try (AppContext app = new AppContext(new Terminal(System.out, System.err, false), cli.repo,
                new ConfigLoader(cli.userConfig, cli.repo.resolve("ensemble.yaml"), Map.of()))) {
            List<String> paths = new ArrayList<>();
            collect(Main.commandLine(app, HelpLayout.ofWidth(80)), "", paths);
            return paths;
        }
    }

    private static void collect(CommandLine command, String path, List<String> paths) {
        for (CommandLine sub : new LinkedHashSet<>(command.getSubcommands().values())) {
            String subPath = (path + " " + sub.getCommandName()).strip();
            paths.add(subPath);
            collect(sub, subPath, paths);
        }
    }

    private Path script(String shell) throws IOException {
        CliHarness.Run run = cli.run("completion", shell);
        assertThat(run.exitCode()).as(run.err()).isZero();
        Path file = dir.resolve("ensemble." + shell);
        Files.writeString(file, run.out());
        return file;
    }

    private static String shell(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    private static boolean installed(String program) {
        try {
            return new ProcessBuilder(program, "-c", "exit 0").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** What bash's completion function offers for the words typed so far (the last one being completed). */
    private static List<String> bashCompletes(Path script, String line) throws IOException, InterruptedException {
        String[] words = (line.endsWith(" ") ? line + "''" : line).split(" ");
        String program = "source " + script + " 2>/dev/null\n"
                + "COMP_WORDS=(" + String.join(" ", words) + "); COMP_CWORD=" + (words.length - 1)
                + "; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}\n"
                + "_complete_ensemble 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        return shell("bash", "-c", program).lines().filter(s -> !s.isBlank()).toList();
    }

    @Test
    void bashScriptIsValidAndCompletesEveryCommandAtEveryLevel() throws Exception {
        Path bash = script("bash");
        shell("bash", "-n", bash.toString());
        String text = Files.readString(bash);
        List<String> paths = commandPaths();
        assertThat(paths).contains("route eval", "config check", "memory search", "completion", "scripted-server");
        for (String path : paths) {
            String name = path.substring(path.lastIndexOf(' ') + 1);
            assertThat(text).as(path).containsPattern("\\b" + java.util.regex.Pattern.quote(name) + "\\b");
        }
        // Really completing, as bash would on TAB.
        assertThat(bashCompletes(bash, "ensemble ro")).containsExactly("route");
        assertThat(bashCompletes(bash, "ensemble route ")).contains("eval", "workload");
        assertThat(bashCompletes(bash, "ensemble config ")).contains("check", "show");
        assertThat(bashCompletes(bash, "ensemble completion ")).containsExactlyInAnyOrder("bash", "zsh", "fish");
        assertThat(bashCompletes(bash, "ensemble exec --ow")).containsExactly("--owns");
    }

    @Test
    void zshGetsTheBashScriptWhichSetsUpBashcompinit() throws Exception {
        Path zsh = script("zsh");
        assertThat(Files.readString(zsh)).isEqualTo(Files.readString(script("bash"))).contains("bashcompinit");
        Assumptions.assumeTrue(installed("zsh"), "zsh is not installed");
        shell("zsh", "-n", zsh.toString());
    }

    @Test
    void fishScriptListsEveryCommandAndItsOptions() throws Exception {
        Path fish = script("fish");
        String text = Files.readString(fish);
        for (String path : commandPaths()) {
            int space = path.lastIndexOf(' ');
            String parent = space < 0 ? "" : " " + path.substring(0, space);
            String name = path.substring(space + 1);
            assertThat(text).as(path).contains("-n '__ensemble_at" + parent + "' -a '" + name + "'");
            assertThat(text).as(path).contains("'" + path + "'");  // a known path for __ensemble_path
        }
        assertThat(text).contains("complete -c ensemble -n '__ensemble_at exec' -l 'owns' -x")
                .contains("complete -c ensemble -n '__ensemble_at go' -l 'plan' -r -F")
                .contains("complete -c ensemble -n '__ensemble_at' -l 'local' -l 'no-local'")
                .contains("-n '__ensemble_at completion' -a 'bash zsh fish'");
    }

    @Test
    void fishCompletesWhereTheUserIs() throws Exception {
        Assumptions.assumeTrue(installed("fish"), "fish is not installed");
        Path fish = script("fish");
        shell("fish", "-n", fish.toString());
        String home = Files.createDirectories(dir.resolve("fish-home")).toString();
        String routes = shell("env", "HOME=" + home, "XDG_CONFIG_HOME=" + home, "fish", "--no-config", "-c",
                "source " + fish + "; complete -C 'ensemble route '; echo '#'; complete -C 'ensemble ro'; echo '#'; "
                        + "complete -C 'ensemble ask route '; echo '#'; complete -C 'ensemble route eval --da'");
        String[] parts = routes.split("#\n", -1);
        assertThat(parts).hasSize(4);
        assertThat(parts[0]).contains("eval\tMeasure routing on recorded outcomes").contains("workload\t").doesNotContain("doctor");
        assertThat(parts[1]).startsWith("route\t");
        assertThat(parts[2]).as("an argument that happens to be a command name").isBlank();
        assertThat(parts[3]).startsWith("--data\t");
    }
}
