package org.m2mgw.cloud.internal.mqtt;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for a connect that {@link MqttLink#close()} can abort. Paho never completes the token of a
 * connect whose client is closed meanwhile, so waiting on the token would hold the caller (the
 * publisher's thread, during a restart of the connection) until the connect timeout.
 */
final class Connecting {
    private Connecting() {
    }

    /**
     * @param done completed by the connect's action listener
     * @param closed whether the link was closed before {@code done} could be published to it
     * @return the connect's token
     * @throws Exception what the connect failed with, or a timeout, or "link closed while connecting"
     */
    static <T> T await(CompletableFuture<T> done, boolean closed, long timeoutMs) throws Exception {
        if (closed) {
            abort(done);
        }
        try {
            return done.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new TimeoutException("no answer to CONNECT within " + timeoutMs + " ms");
        }
    }

    /** Ends a wait in {@link #await}, if there is one. */
    static void abort(CompletableFuture<?> connecting) {
        if (connecting != null) {
            connecting.completeExceptionally(new IllegalStateException("link closed while connecting"));
        }
    }
}
