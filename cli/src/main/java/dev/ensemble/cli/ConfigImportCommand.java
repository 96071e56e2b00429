package dev.ensemble.cli;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.core.config.LocatedYaml;
import dev.ensemble.core.io.BoundedText;
import dev.ensemble.core.io.ParseLimits;
import dev.ensemble.llm.http.HttpTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Turn another tool's configuration into ensemble's."},
        subcommands = {ConfigImportCommand.Litellm.class})
final class ConfigImportCommand implements Callable<Integer> {
    @ParentCommand ConfigCommand parent;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(parent.main.app().terminal().out());
        return ExitCodes.OK;
    }

    @Command(name = "litellm", mixinStandardHelpOptions = true,
            description = {"Import a LiteLLM proxy configuration file.",
                    "Its model list becomes providers and models, its router fallbacks become aliases and its max_budget "
                            + "a daily budget; every key that could not be mapped is listed with why. Keys are copied only as "
                            + "references (os.environ/X becomes env:X); a key written into the file is never copied. An "
                            + "existing file is not replaced without --force."})
    static final class Litellm implements Callable<Integer> {
        @ParentCommand ConfigImportCommand parent;

        @Parameters(index = "0", paramLabel = "CONFIG", description = "LiteLLM's configuration file.")
        Path input;

        @Option(names = "--out", paramLabel = "FILE", description = "Where to write ensemble's configuration (default: the repository file, in this folder).")
        Path out;

        @Option(names = "--dry-run", description = "Print the configuration instead of writing it.")
        boolean dryRun;

        @Option(names = "--force", description = "Replace FILE when it exists.")
        boolean force;

        @Option(names = "--json", description = "Print what was mapped and what was not as JSON.")
        boolean json;

        @Override
        public Integer call() {
            AppContext app = parent.parent.main.app();
            Terminal term = app.terminal();
            Path source = app.workingDir().resolve(input);
            Path target = app.workingDir().resolve(out != null ? out : Path.of(ConfigLoader.REPO_FILE));
            if (!dryRun && Files.exists(target) && !force) {
                throw new UserInputException(target + " exists; nothing was written (--force replaces it, --dry-run prints instead)");
            }
            LocatedYaml yaml;
            try {
                yaml = LocatedYaml.read(source.toString(), BoundedText.read(source, ParseLimits.MAX_FILE_BYTES));
            } catch (java.nio.file.NoSuchFileException e) {
                throw new UserInputException(source + ": no such file");
            } catch (IOException e) {
                throw new UserInputException(source + ": " + e.getMessage());
            }
            if (!yaml.tree().path("model_list").isArray()) {
                throw new UserInputException(source + ": no model_list: not a LiteLLM proxy config.yaml");
            }
            Catalog builtin = new ConfigLoader(null, null, Map.of()).load().catalog();
            LiteLlmImport.Result result = LiteLlmImport.convert(yaml.tree(), yaml.locator(), builtin, LocalDate.now(ZoneOffset.UTC));
            if (result.models() == 0) {
                report(term, result, target, false, null);
                throw new UserInputException(source + ": none of model_list could be mapped; nothing was written");
            }
            String text = render(source, result);
            checkLoads(text, target);
            if (!dryRun) write(target, text);
            if (dryRun && !json) term.out().print(text);
            report(term, result, target, !dryRun, dryRun ? text : null);
            return ExitCodes.OK;
        }

        private String render(Path source, LiteLlmImport.Result result) {
            YAMLMapper mapper = YAMLMapper.builder().disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
                    .enable(YAMLWriteFeature.MINIMIZE_QUOTES).build();
            return "# ensemble configuration imported from LiteLLM's " + source.getFileName() + " by `ensemble config import litellm`.\n"
                    + "# Keys are references: set the variables named below (or change them to keychain:/pass:/file:).\n"
                    + mapper.writeValueAsString(result.config());
        }

        /** What was made must load as ensemble's own configuration does; if not, that is our bug and nothing is written. */
        private static void checkLoads(String text, Path target) {
            try {
                Path scratch = Files.createTempFile("ensemble-import", ".yaml");
                try {
                    Files.writeString(scratch, text);
                    new ConfigLoader(scratch, null, Map.of()).load();
                } finally {
                    Files.deleteIfExists(scratch);
                }
            } catch (ConfigException e) {
                throw new IllegalStateException("the imported configuration would not load, so " + target + " was not written: "
                        + e.getMessage(), e);
            } catch (IOException e) {
                throw new IllegalStateException("cannot check the imported configuration: " + e.getMessage(), e);
            }
        }

        private static void write(Path target, String text) {
            try {
                if (target.getParent() != null) Files.createDirectories(target.getParent());
                Files.writeString(target, text, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UserInputException(target + ": cannot be written: " + e.getMessage());
            }
        }

        /** {@code yaml}: the configuration, in the JSON of a dry run; null otherwise. */
        private void report(Terminal term, LiteLlmImport.Result r, Path target, boolean written, String yaml) {
            if (json) {
                ObjectNode root = HttpTransport.JSON.createObjectNode();
                root.put("written", written);
                root.put("out", target.toString());
                root.put("providers", r.providers()).put("models", r.models()).put("aliases", r.aliases());
                items(root.putArray("unmapped"), r.unmapped());
                items(root.putArray("warnings"), r.warnings());
                if (yaml != null) root.put("yaml", yaml);
                term.printJson(root);
                return;
            }
            var err = term.err();
            String what = r.providers() + " provider(s), " + r.models() + " model(s), " + r.aliases() + " alias(es)";
            err.println((written ? term.green("imported") + " " + what + " into " + target : "would import " + what
                    + (dryRun ? " (dry run: nothing written)" : "")));
            if (!r.warnings().isEmpty()) {
                err.println(term.yellow("check these") + ":");
                r.warnings().forEach(w -> err.println("  " + w.where() + ": " + w.why()));
            }
            if (!r.unmapped().isEmpty()) {
                err.println(term.yellow("not imported") + " (" + r.unmapped().size() + "):");
                r.unmapped().forEach(u -> err.println("  " + u.where() + ": " + u.why()));
            }
            if (written) err.println("next: ensemble config check");
        }

        private static void items(ArrayNode array, List<LiteLlmImport.Item> items) {
            items.forEach(i -> array.addObject().put("key", i.key()).put("line", i.line()).put("why", i.why()));
        }
    }
}
