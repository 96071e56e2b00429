package dev.ensemble.agents.builtin;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The builtin agent's limits. Caps stop a run with a clear reason instead of letting a small model
 * wander: {@code maxTurns} model calls, {@code maxTotalTokens} input+output tokens over the run,
 * {@code repeatLimit} identical tool calls (same tool, same arguments) since the workspace last
 * changed, and {@code noProgressTurns} turns in a row that changed no file and returned nothing
 * the model had not already seen.
 *
 * @param maxReadBytes     files larger than this are neither read nor searched nor edited
 * @param maxOutputChars   each tool result is cut to this many characters (head and tail kept)
 * @param checkOwnership   refuse writes outside the task's owned paths already in the tool, so the
 *                         model learns at once; off only to let the Enforcer see the attempt
 */
public record BuiltinSettings(int maxTurns, long maxTotalTokens, long maxReadBytes, Duration commandTimeout,
                             int maxOutputChars, int repeatLimit, int noProgressTurns, int maxGrepMatches,
                             int maxListEntries, List<AllowedCommand> allowedCommands, boolean checkOwnership) {

    public static final List<AllowedCommand> DEFAULT_COMMANDS = List.of(
            AllowedCommand.of("git status"), AllowedCommand.of("git diff"), AllowedCommand.of("git log"),
            AllowedCommand.of("git show"), AllowedCommand.of("ls"), AllowedCommand.of("cat"),
            AllowedCommand.of("mvn -q test"), AllowedCommand.of("./mvnw -q test"), AllowedCommand.of("npm test"),
            AllowedCommand.of("pytest"), AllowedCommand.of("python -m pytest"), AllowedCommand.of("python3 -m pytest"),
            AllowedCommand.of("go test"), AllowedCommand.of("cargo test"));

    public static final BuiltinSettings DEFAULTS = new BuiltinSettings(40, 400_000, 512 * 1024, Duration.ofMinutes(5),
            20_000, 3, 6, 200, 500, DEFAULT_COMMANDS, true);

    public BuiltinSettings {
        positive("maxTurns", maxTurns);
        positive("maxTotalTokens", maxTotalTokens);
        positive("maxReadBytes", maxReadBytes);
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (commandTimeout.isNegative() || commandTimeout.isZero()) throw new IllegalArgumentException("commandTimeout must be positive");
        if (maxOutputChars < 200) throw new IllegalArgumentException("maxOutputChars must be at least 200");
        if (repeatLimit < 2) throw new IllegalArgumentException("repeatLimit must be at least 2");
        positive("noProgressTurns", noProgressTurns);
        positive("maxGrepMatches", maxGrepMatches);
        positive("maxListEntries", maxListEntries);
        allowedCommands = List.copyOf(allowedCommands);
    }

    private static void positive(String name, long value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be positive");
    }

    public BuiltinSettings withMaxTurns(int n) {
        return new BuiltinSettings(n, maxTotalTokens, maxReadBytes, commandTimeout, maxOutputChars, repeatLimit,
                noProgressTurns, maxGrepMatches, maxListEntries, allowedCommands, checkOwnership);
    }

    public BuiltinSettings withMaxTotalTokens(long n) {
        return new BuiltinSettings(maxTurns, n, maxReadBytes, commandTimeout, maxOutputChars, repeatLimit,
                noProgressTurns, maxGrepMatches, maxListEntries, allowedCommands, checkOwnership);
    }

    public BuiltinSettings withMaxReadBytes(long n) {
        return new BuiltinSettings(maxTurns, maxTotalTokens, n, commandTimeout, maxOutputChars, repeatLimit,
                noProgressTurns, maxGrepMatches, maxListEntries, allowedCommands, checkOwnership);
    }

    public BuiltinSettings withCommandTimeout(Duration timeout) {
        return new BuiltinSettings(maxTurns, maxTotalTokens, maxReadBytes, timeout, maxOutputChars, repeatLimit,
                noProgressTurns, maxGrepMatches, maxListEntries, allowedCommands, checkOwnership);
    }

    public BuiltinSettings withMaxOutputChars(int n) {
        return new BuiltinSettings(maxTurns, maxTotalTokens, maxReadBytes, commandTimeout, n, repeatLimit,
                noProgressTurns, maxGrepMatches, maxListEntries, allowedCommands, checkOwnership);
    }

    public BuiltinSettings withNoProgressTurns(int n) {
        return new BuiltinSettings(maxTurns, maxTotalTokens, maxReadBytes, commandTimeout, maxOutputChars, repeatLimit,
                n, maxGrepMatches, maxListEntries, allowedCommands, checkOwnership);
    }

    public BuiltinSettings withMaxGrepMatches(int n) {
        return new BuiltinSettings(maxTurns, maxTotalTokens, maxReadBytes, commandTimeout, maxOutputChars, repeatLimit,
                noProgressTurns, n, maxListEntries, allowedCommands, checkOwnership);
    }

    public BuiltinSettings withAllowedCommands(List<AllowedCommand> commands) {
        return new BuiltinSettings(maxTurns, maxTotalTokens, maxReadBytes, commandTimeout, maxOutputChars, repeatLimit,
                noProgressTurns, maxGrepMatches, maxListEntries, commands, checkOwnership);
    }

    public BuiltinSettings withCheckOwnership(boolean check) {
        return new BuiltinSettings(maxTurns, maxTotalTokens, maxReadBytes, commandTimeout, maxOutputChars, repeatLimit,
                noProgressTurns, maxGrepMatches, maxListEntries, allowedCommands, check);
    }
}
