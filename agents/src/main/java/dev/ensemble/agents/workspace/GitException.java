package dev.ensemble.agents.workspace;

/** A git command failed, timed out or could not start; the message names the command and carries git's stderr. */
public final class GitException extends RuntimeException {
    private final int exitCode;

    public GitException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public GitException(String message, Throwable cause) {
        super(message, cause);
        this.exitCode = -1;
    }

    /** git's exit status, or -1 when it did not run to an exit (could not start, timed out). */
    public int exitCode() {
        return exitCode;
    }
}
