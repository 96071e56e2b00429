package dev.ensemble.core.config;

import dev.ensemble.core.Redactor;
import java.util.List;
import java.util.stream.Collectors;

/** The configuration cannot be used; carries every problem found, not just the first. */
public final class ConfigException extends RuntimeException {
    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(null, null, false, false);
        if (errors.isEmpty()) throw new IllegalArgumentException("a ConfigException needs at least one error");
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }

    /** One error per line, in the order the layers were read; secrets known to the process are masked. */
    @Override
    public String getMessage() {
        String text = errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n"));
        return Redactor.global().redact(text);
    }
}
