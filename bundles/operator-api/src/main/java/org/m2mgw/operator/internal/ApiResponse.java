package org.m2mgw.operator.internal;

import jakarta.json.JsonValue;

/**
 * What a call answers: a status and a JSON body ({@code null} for 204).
 *
 * @param location a Location header for 201, or null
 */
record ApiResponse(int status, JsonValue body, String location) {

    static ApiResponse ok(JsonValue body) {
        return new ApiResponse(200, body, null);
    }

    static ApiResponse noContent() {
        return new ApiResponse(204, null, null);
    }
}
