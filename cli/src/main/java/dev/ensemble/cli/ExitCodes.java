package dev.ensemble.cli;

/**
 * What ensemble's exit status means, for every command (documented in the README).
 * 0 done; 1 the work failed (a model call failed, doctor found nothing usable); 2 bad input (usage,
 * configuration, unknown model) and nothing was done; 130 interrupted.
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
