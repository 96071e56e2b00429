package dev.ensemble.engine.store;

import dev.ensemble.core.Redactor;
import java.nio.file.FileSystemException;
import java.sql.SQLException;

/** The store could not be opened, migrated or used. Its message is redacted and fit to show. */
public final class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(Redactor.global().redact(message));
    }

    public StoreException(String message, Throwable cause) {
        super(Redactor.global().redact(message), cause);
    }

    /**
     * The most telling line of a failure, redacted. Jdbi's own messages append the statement and
     * its bound arguments, so the deepest SQLException's message says more in less space.
     */
    static String reason(Throwable failure) {
        Throwable best = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException) best = t;
            if (t.getCause() == t) break;
        }
        String message = best.getMessage();
        if (message == null || message.isBlank()) {
            message = best.getClass().getSimpleName();
        } else if (best instanceof FileSystemException) {
            // Their message is only the path; the type says what went wrong with it.
            message = best.getClass().getSimpleName() + ": " + message;
        }
        String line = Redactor.global().redact(message.strip().replaceAll("\\s*\\R\\s*", " "));
        if (line.length() > 300) line = line.substring(0, 300) + "…";
        return Redactor.global().redact(line);
    }
}
