/**
 * Adapters for coding-agent CLIs: claude, codex, opencode, gemini, qwen, cn (Continue) and aider.
 *
 * <p>{@link dev.ensemble.agents.cli.AgentRegistry} holds them (and the builtin agent, registered by
 * the caller) and detects them in parallel. Each adapter is a {@link dev.ensemble.agents.cli.CliAgent}
 * that builds the CLI's verified headless command line and private config
 * ({@link dev.ensemble.agents.cli.Invocation}) and parses its output format
 * ({@link dev.ensemble.agents.cli.OutputParser}); {@link dev.ensemble.agents.cli.AgentProcess} runs
 * it with an environment of its own, a timeout and a kill of the whole process tree.
 *
 * <p>Executables are found through {@link dev.ensemble.agents.cli.CliSettings}: explicit paths, extra
 * folders, PATH, then the cache that {@code .ci/install-agent-clis.sh} fills. Each run gets a
 * private home under {@code CliSettings.homeRoot()} (the system temp dir by default), deleted after
 * the run unless it left a resumable session: then it stays, linked from
 * {@code <homeRoot>/sessions/<agent>/<session id>}, with any file that held a key deleted;
 * {@link dev.ensemble.agents.cli.PrivateHome#discard} removes it.
 */
package dev.ensemble.agents.cli;
