package dev.ensemble.agents.process;

/** {@code policy.sandbox: required} and no mechanism works here; the message says why (the CLI exits 2). */
public final class SandboxUnavailableException extends RuntimeException {
    public SandboxUnavailableException(String message) {
        super(message);
    }
}
