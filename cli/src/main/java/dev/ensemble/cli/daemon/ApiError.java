package dev.ensemble.cli.daemon;

/** A request refused with a 4xx and a JSON body {@code {"error": message}}; nothing was changed. */
final class ApiError extends RuntimeException {
    final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    static ApiError notFound(String message) {
        return new ApiError(404, message);
    }

    static ApiError bad(String message) {
        return new ApiError(400, message);
    }

    static ApiError conflict(String message) {
        return new ApiError(409, message);
    }
}
