package dev.ensemble.agents.workspace;

/**
 * The run branch is not where ensemble left it: created before the run, moved or deleted by
 * someone else. A violation, never a base to build on; the enforcer records it as rule
 * {@code run-branch-moved} and {@link RunBranch#restore} puts the branch back.
 */
public final class RunBranchMovedException extends RuntimeException {
    private final String branch;
    private final String expected;
    private final String found;

    public RunBranchMovedException(String branch, String expected, String found, String message) {
        super(message);
        this.branch = branch;
        this.expected = expected;
        this.found = found;
    }

    public String branch() {
        return branch;
    }

    public String expected() {
        return expected;
    }

    public String found() {
        return found;
    }
}
