package dev.ensemble.agents.enforce;

/** The stable rule ids of {@link Violation#rule()}: shown to users, stored, and matched on by tests. */
public final class Rules {
    public static final String OUTSIDE_OWNERSHIP = "outside-ownership";
    public static final String PROTECTED_PATH = "protected-path";
    public static final String SYMLINK_ESCAPE = "symlink-escape";
    public static final String PATH_TRAVERSAL = "path-traversal";
    public static final String GIT_INTERNALS = "git-internals";
    public static final String EXECUTABLE_BIT = "executable-bit";
    public static final String NEW_TOP_LEVEL_FOLDER = "new-top-level-folder";
    public static final String FILE_TOO_LARGE = "file-too-large";
    public static final String BINARY_CONTENT = "binary-content";
    public static final String SUBMODULE = "submodule";
    public static final String MAIN_TREE_MODIFIED = "main-tree-modified";
    /** The run branch is not where ensemble left it. */
    public static final String RUN_BRANCH_MOVED = "run-branch-moved";
    /** A watched git-ignored file of the checkout ({@code .env*}, {@code policy.watch_ignored}) changed. */
    public static final String IGNORED_FILE_MODIFIED = "ignored-file-modified";
    /** A loose object no longer hashes to its name, or was deleted. */
    public static final String OBJECT_REWRITTEN = "object-rewritten";
    /** Another task's worktree was written while this attempt ran. */
    public static final String OTHER_WORKTREE = "other-worktree";
    /** ensemble's store was written by another process, or its file replaced, while the attempt ran. */
    public static final String STORE_TAMPERED = "store-tampered";

    /** A watched file of the user's home ({@code policy.watch_home}: {@code ~/.ssh}, {@code ~/.bashrc}…) changed. */
    public static final String HOME_FILE_MODIFIED = "home-file-modified";
    /** The tool-call auditor stopped a tool call before it ran (credentials, the network, a write outside the worktree). */
    public static final String TOOL_CALL_BLOCKED = "tool-call-blocked";

    private Rules() {}
}
