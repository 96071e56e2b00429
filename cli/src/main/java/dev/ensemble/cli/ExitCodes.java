package dev.ensemble.cli;

/**
 * What ensemble's exit status means, for every command (documented in the README).
 * 0 done; 1 the work failed (a model call failed, doctor found nothing usable, or a call was refused
 * because its worst-case cost could cross a budget: nothing was sent); 2 bad input (usage,
 * configuration, unknown model, a cloud model in local-only mode, a forecast above
 * budget.approve_above_usd not approved) and nothing was done; 130 interrupted.
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    /** No model could be called: no key, no local server answering, nothing pulled. Nothing was sent. */
    public static final int NO_MODEL = 3;
    /** An agent finished and claimed success, but changed nothing. */
    public static final int NO_CHANGE = 4;
    public static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
