package dev.ensemble.cli;

/** A mistake in what the user asked for (unknown model, bad --since): exit 2, nothing done. */
final class UserInputException extends RuntimeException {
    UserInputException(String message) {
        super(message);
    }
}
