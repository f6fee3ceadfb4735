package org.m2mgw.cloud.internal.queue;

import java.util.concurrent.CompletableFuture;
import org.m2mgw.api.message.Acceptance;

/** A message waiting for the queue's writer, or a request to sync, or the writer's wake-up call. */
final class Submission {
    final String key;
    final byte[] keyBytes;
    final byte[] record;
    final int frameLength;
    final CompletableFuture<Acceptance> future;
    final CompletableFuture<Void> sync;
    Acceptance outcome;

    Submission(String key, byte[] keyBytes, byte[] record, int frameLength) {
        this.key = key;
        this.keyBytes = keyBytes;
        this.record = record;
        this.frameLength = frameLength;
        this.future = new CompletableFuture<>();
        this.sync = null;
    }

    Submission(CompletableFuture<Void> sync) {
        this.key = null;
        this.keyBytes = null;
        this.record = null;
        this.frameLength = 0;
        this.future = null;
        this.sync = sync;
    }
}
