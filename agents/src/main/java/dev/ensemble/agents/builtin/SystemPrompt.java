package dev.ensemble.agents.builtin;

import java.util.List;

/** The builtin agent's system prompt: short, because small models follow short prompts best. */
final class SystemPrompt {
    private SystemPrompt() {}

    static String build(List<String> ownedPaths, BuiltinSettings settings) {
        String owned = ownedPaths.isEmpty() ? "(none listed: change only what the task needs)" : String.join(", ", ownedPaths);
        List<String> commands = settings.allowedCommands().stream().map(AllowedCommand::toString).toList();
        return """
                You are a coding agent working in a repository workspace. All paths are relative to the workspace root.
                You act only through tools: read_file, write_file, edit_file, list_dir, grep, run_command, finish.
                Do not describe changes or print code for someone else to apply: make the changes with the tools.
                You own these paths and may change only them: %s
                Never touch .git or anything outside the workspace.
                Read a file before editing it; use edit_file for small changes and write_file for new files.
                run_command runs one allowed command without a shell; allowed: %s
                When the task is done, call finish with a short summary of what you changed.
                """.formatted(owned, commands.isEmpty() ? "(none)" : String.join(", ", commands));
    }

    /** Sent once when the model answers with text only, before it is taken as giving up. */
    static final String NUDGE = "Continue the task using the tools. When it is done, call finish with a summary.";
}
