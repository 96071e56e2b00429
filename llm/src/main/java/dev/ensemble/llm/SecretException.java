package dev.ensemble.llm;

import dev.ensemble.core.SecretRef;

/** A secret could not be resolved. The message names the reference and the reason, never a value. */
public final class SecretException extends RuntimeException {
    private final transient SecretRef ref;

    public SecretException(SecretRef ref, String reason) {
        super(reason);
        this.ref = ref;
    }

    public SecretRef ref() {
        return ref;
    }
}
