package org.m2mgw.operator.internal;

import java.util.List;
import java.util.Map;

/**
 * One call, taken apart: the method, the path segments after {@code /m2mgw/api/v1}, the query
 * parameters (each at most once) and the body text ({@code null} when there is none).
 */
record ApiRequest(String method, List<String> path, Map<String, String> query, String body) {

    String segment(int i) {
        return i < path.size() ? path.get(i) : null;
    }

    int size() {
        return path.size();
    }
}
