package dev.ensemble.agents.builtin;

import java.util.List;
import java.util.Objects;

/**
 * One entry of run_command's allow-list: a command is allowed when its words start with
 * {@code prefix} (program, then its first arguments: {@code git diff} allows {@code git diff --stat}
 * but not {@code git push}). Allowed commands run directly, without a shell, so {@code ;}, pipes,
 * redirections, globs and {@code $VARS} mean nothing and are refused; only an entry with
 * {@code shell} runs its command line through {@code sh -c}, which gives the model the whole shell
 * once the prefix matches: use it for trusted one-liners only.
 */
public record AllowedCommand(List<String> prefix, boolean shell) {
    public AllowedCommand {
        prefix = List.copyOf(prefix);
        if (prefix.isEmpty()) throw new IllegalArgumentException("an allowed command needs at least a program");
        for (String word : prefix) Objects.requireNonNull(word, "prefix word");
    }

    /** {@code "mvn -q test"} → program mvn with first arguments -q test; run without a shell. */
    public static AllowedCommand of(String words) {
        return new AllowedCommand(List.of(words.strip().split("\\s+")), false);
    }

    /** Like {@link #of}, but the whole command line goes to {@code sh -c}. */
    public static AllowedCommand shell(String words) {
        return new AllowedCommand(List.of(words.strip().split("\\s+")), true);
    }

    public boolean matches(List<String> words) {
        return words.size() >= prefix.size() && words.subList(0, prefix.size()).equals(prefix);
    }

    @Override
    public String toString() {
        return String.join(" ", prefix) + (shell ? " (shell)" : "");
    }
}
