package org.m2mgw.bench.suite;

/** How much load and time the suite spends: a full run (minutes) or a smoke run (seconds). */
record Profile(String name, int rounds, int warmupSeconds, int measureSeconds, int handshakeClients,
        int postClients, int idleSessions, int restartSessions, int backlogSeconds, int queueSeconds,
        int handshakeSeconds) {

    static Profile full() {
        return new Profile("full", 3, 3, 10, 32, 200, 20_000, 10_000, 15, 3, 6);
    }

    static Profile smoke() {
        return new Profile("smoke", 1, 1, 2, 4, 8, 200, 50, 2, 1, 2);
    }

    Profile withIdleSessions(int n) {
        return new Profile(name, rounds, warmupSeconds, measureSeconds, handshakeClients, postClients, n,
                restartSessions, backlogSeconds, queueSeconds, handshakeSeconds);
    }

    Profile withRestartSessions(int n) {
        return new Profile(name, rounds, warmupSeconds, measureSeconds, handshakeClients, postClients, idleSessions,
                n, backlogSeconds, queueSeconds, handshakeSeconds);
    }

    int fleetSize() {
        // 0-999: handshake, resumption and POST devices; then the idle devices, the restart
        // devices and the live devices of the backlog run, each their own
        return 1000 + idleSessions + restartSessions + 100;
    }
}
