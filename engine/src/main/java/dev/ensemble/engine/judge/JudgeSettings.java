package dev.ensemble.engine.judge;

import dev.ensemble.agents.process.Launcher;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the judge works.
 *
 * @param testCommand    a shell command run in the worktree; empty: detected from the build files
 * @param lintCommand    a shell command run in the worktree; empty: no lint check
 * @param commandTimeout how long a test or lint command may run before its process tree is killed
 * @param requireTests   whether a repository with no test command fails the test check. Default
 *                       false for now: the flow must work on repositories without tests, and a
 *                       reviewer still reads every change
 * @param outputTailChars how much of a failed command's output (its end) goes into the reason
 * @param launcher       through which the test and lint commands start (the run's sandbox, {@code policy.judge_network})
 */
public record JudgeSettings(Optional<String> testCommand, Optional<String> lintCommand, Duration commandTimeout,
                            boolean requireTests, int outputTailChars, Launcher launcher) {

    public JudgeSettings(Optional<String> testCommand, Optional<String> lintCommand, Duration commandTimeout, boolean requireTests,
                         int outputTailChars) {
        this(testCommand, lintCommand, commandTimeout, requireTests, outputTailChars, Launcher.unconfined());
    }
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    public JudgeSettings {
        testCommand = Objects.requireNonNull(testCommand, "testCommand").filter(c -> !c.isBlank());
        lintCommand = Objects.requireNonNull(lintCommand, "lintCommand").filter(c -> !c.isBlank());
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (commandTimeout.isNegative() || commandTimeout.isZero()) throw new IllegalArgumentException("commandTimeout must be positive");
        Objects.requireNonNull(launcher, "launcher");
        if (outputTailChars < 200) throw new IllegalArgumentException("outputTailChars must be at least 200");
    }

    public static JudgeSettings defaults() {
        return new JudgeSettings(Optional.empty(), Optional.empty(), DEFAULT_TIMEOUT, false, 4_000);
    }

    public JudgeSettings withTestCommand(String command) {
        return new JudgeSettings(Optional.ofNullable(command), lintCommand, commandTimeout, requireTests, outputTailChars, launcher);
    }

    public JudgeSettings withLintCommand(String command) {
        return new JudgeSettings(testCommand, Optional.ofNullable(command), commandTimeout, requireTests, outputTailChars, launcher);
    }

    public JudgeSettings withCommandTimeout(Duration timeout) {
        return new JudgeSettings(testCommand, lintCommand, timeout, requireTests, outputTailChars, launcher);
    }

    public JudgeSettings withLauncher(Launcher l) {
        return new JudgeSettings(testCommand, lintCommand, commandTimeout, requireTests, outputTailChars, l);
    }

    public JudgeSettings withRequireTests(boolean require) {
        return new JudgeSettings(testCommand, lintCommand, commandTimeout, require, outputTailChars, launcher);
    }
}
