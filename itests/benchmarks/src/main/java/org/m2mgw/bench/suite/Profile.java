package org.m2mgw.bench.suite;

/** How much load and time the suite spends: a full run (minutes) or a smoke run (seconds). */
record Profile(String name, int rounds, int warmupSeconds, int measureSeconds, int handshakeClients,
        int postClients, int idleSessions, int restartSessions, int backlogSeconds, int queueSeconds) {

    static Profile full() {
        return new Profile("full", 3, 3, 10, 32, 200, 100_000, 10_000, 15, 3);
    }

    static Profile smoke() {
        return new Profile("smoke", 1, 1, 2, 4, 8, 200, 50, 2, 1);
    }

    Profile withIdleSessions(int n) {
        return new Profile(name, rounds, warmupSeconds, measureSeconds, handshakeClients, postClients, n,
                restartSessions, backlogSeconds, queueSeconds);
    }

    int fleetSize() {
        return Math.max(idleSessions, Math.max(restartSessions, postClients + 100)) + 1000;
    }
}
