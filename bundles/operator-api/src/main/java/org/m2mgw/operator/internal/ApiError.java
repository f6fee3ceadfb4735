package org.m2mgw.operator.internal;

/**
 * A request the API refuses: the HTTP status, a short machine-readable code and a reason in words.
 * Answered as {@code {"error":"<code>","reason":"<reason>"}}. The reason never holds a secret or a
 * payload.
 */
final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    ApiError(int status, String code, String reason) {
        super(reason, null, false, false);
        this.status = status;
        this.code = code;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    static ApiError badRequest(String reason) {
        return new ApiError(400, "bad_request", reason);
    }

    static ApiError notFound(String reason) {
        return new ApiError(404, "not_found", reason);
    }

    static ApiError conflict(String reason) {
        return new ApiError(409, "conflict", reason);
    }

    static ApiError unavailable(String reason) {
        return new ApiError(503, "unavailable", reason);
    }

    static ApiError unprocessable(String reason) {
        return new ApiError(422, "unprocessable", reason);
    }
}
