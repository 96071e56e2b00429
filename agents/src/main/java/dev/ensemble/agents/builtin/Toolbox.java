package dev.ensemble.agents.builtin;

import dev.ensemble.agents.AgentEvent;
import dev.ensemble.llm.ToolCall;
import dev.ensemble.llm.ToolSpec;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tools the builtin agent offers, as specs for the model and as the code that carries out a
 * call. Every failure, however it arises, comes back as an error result the model can act on;
 * nothing a model sends can end the run from here except finish.
 */
final class Toolbox {
    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String READ_FILE = "read_file";
    static final String WRITE_FILE = "write_file";
    static final String EDIT_FILE = "edit_file";
    static final String LIST_DIR = "list_dir";
    static final String GREP = "grep";
    static final String RUN_COMMAND = "run_command";
    static final String FINISH = "finish";

    private final FileTools files;
    private final GrepTool grep;
    private final CommandTool commands;
    private final int maxOutputChars;

    Toolbox(WorkspacePaths paths, OwnedPaths owned, BuiltinSettings settings, Consumer<AgentEvent> events) {
        this(paths, owned, settings, events, dev.ensemble.agents.process.Confinement.unconfined(paths.root()));
    }

    Toolbox(WorkspacePaths paths, OwnedPaths owned, BuiltinSettings settings, Consumer<AgentEvent> events,
            dev.ensemble.agents.process.Confinement confinement) {
        this.files = new FileTools(paths, owned, settings);
        this.grep = new GrepTool(paths, settings);
        this.commands = new CommandTool(paths, settings, events, confinement);
        this.maxOutputChars = settings.maxOutputChars();
    }

    static List<ToolSpec> specs() {
        return List.of(
                new ToolSpec(READ_FILE, "Read a text file of the workspace. For long files give offset (first line, from 1) "
                        + "and limit (number of lines).", schema(new String[] {"path"},
                        "path", "string", "File path relative to the workspace root",
                        "offset", "integer", "First line to return, counting from 1",
                        "limit", "integer", "How many lines to return")),
                new ToolSpec(WRITE_FILE, "Create a file or replace its whole content. Folders are created as needed.",
                        schema(new String[] {"path", "content"},
                                "path", "string", "File path relative to the workspace root",
                                "content", "string", "The complete new content of the file")),
                new ToolSpec(EDIT_FILE, "Replace one exact piece of text in a file. 'old' must occur exactly once, "
                        + "matching whitespace and line breaks; include surrounding lines to make it unique.",
                        schema(new String[] {"path", "old", "new"},
                                "path", "string", "File path relative to the workspace root",
                                "old", "string", "The exact text to replace",
                                "new", "string", "The text to put in its place")),
                new ToolSpec(LIST_DIR, "List a folder of the workspace; folders end with '/'.",
                        schema(new String[] {}, "path", "string", "Folder relative to the workspace root (default: the root)")),
                new ToolSpec(GREP, "Search text files for a Java regular expression; prints path:line: text for each match.",
                        schema(new String[] {"pattern"},
                                "pattern", "string", "Java regular expression, matched within single lines",
                                "path", "string", "File or folder to search (default: the whole workspace)",
                                "glob", "string", "Only files matching this glob, e.g. *.java or src/**/*.ts")),
                new ToolSpec(RUN_COMMAND, "Run one allowed command (tests, git status/diff/log, ls) in the workspace, without "
                        + "a shell: no pipes, redirection or globs. Returns the exit code and output.",
                        schema(new String[] {"command"}, "command", "string", "The command line, e.g. mvn -q test")),
                new ToolSpec(FINISH, "Call when the task is done, with a short summary of what you changed.",
                        schema(new String[] {"summary"}, "summary", "string", "What was done, in a few sentences")));
    }

    /** Pairs of (name, type, description) after the required names. */
    private static JsonNode schema(String[] required, String... properties) {
        ObjectNode schema = JSON.createObjectNode().put("type", "object");
        ObjectNode props = schema.putObject("properties");
        for (int i = 0; i < properties.length; i += 3) {
            props.putObject(properties[i]).put("type", properties[i + 1]).put("description", properties[i + 2]);
        }
        var req = schema.putArray("required");
        for (String name : required) req.add(name);
        schema.put("additionalProperties", false);
        return schema;
    }

    /** The arguments as a JSON object, or null when the model sent something else. */
    static JsonNode parseArguments(String argumentsJson) {
        try {
            JsonNode node = JSON.readTree(argumentsJson);
            return node != null && node.isObject() ? node : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    ToolOutcome execute(ToolCall call) {
        JsonNode node = parseArguments(call.argumentsJson());
        if (node == null) {
            return ToolOutcome.error("the arguments of " + call.name() + " are not a JSON object: "
                    + Texts.start(call.argumentsJson(), 200));
        }
        Args args = new Args(call.name(), node);
        try {
            ToolOutcome outcome = switch (call.name()) {
                case READ_FILE -> files.read(args);
                case WRITE_FILE -> files.write(args);
                case EDIT_FILE -> files.edit(args);
                case LIST_DIR -> files.list(args);
                case GREP -> grep.grep(args);
                case RUN_COMMAND -> commands.run(args);
                case FINISH -> ToolOutcome.finished(args.optional("summary").orElse(""));
                default -> ToolOutcome.error("there is no tool '" + call.name() + "'; the tools are read_file, write_file, "
                        + "edit_file, list_dir, grep, run_command and finish");
            };
            return outcome.withContent(Texts.bound(outcome.content(), maxOutputChars));
        } catch (ToolError e) {
            return ToolOutcome.error(e.getMessage());
        } catch (RuntimeException e) {
            // A bug or an odd file system must not end the run; the model can try something else.
            return ToolOutcome.error(call.name() + " failed: " + e);
        }
    }
}
