package org.m2mgw.bench.suite;

/** How much load and time the suite spends: a full run (minutes) or a smoke run (seconds). */
record Profile(String name, int rounds, int warmupSeconds, int measureSeconds, int handshakeClients,
        int postClients, int idleSessions, int restartSessions, int backlogSeconds, int queueSeconds,
        int handshakeSeconds, int[] curveFleets, int[] curveSessions) {

    static Profile full() {
        return new Profile("full", 3, 3, 10, 32, 200, 20_000, 10_000, 15, 3, 6, new int[] {10, 100, 1_000, 10_000},
                new int[] {1_000, 10_000, 100_000});
    }

    static Profile smoke() {
        return new Profile("smoke", 1, 1, 2, 4, 8, 2_000, 50, 2, 1, 2, new int[] {10, 50}, new int[] {500, 2_000});
    }

    Profile withIdleSessions(int n) {
        return new Profile(name, rounds, warmupSeconds, measureSeconds, handshakeClients, postClients, n,
                restartSessions, backlogSeconds, queueSeconds, handshakeSeconds, curveFleets, curveSessions);
    }

    Profile withRestartSessions(int n) {
        return new Profile(name, rounds, warmupSeconds, measureSeconds, handshakeClients, postClients, idleSessions,
                n, backlogSeconds, queueSeconds, handshakeSeconds, curveFleets, curveSessions);
    }

    Profile withCurveSessions(int... levels) {
        return new Profile(name, rounds, warmupSeconds, measureSeconds, handshakeClients, postClients, idleSessions,
                restartSessions, backlogSeconds, queueSeconds, handshakeSeconds, curveFleets, levels);
    }

    /** First fleet index of the heap curve's devices (after all others). */
    int curveOffset() {
        return 1000 + idleSessions + restartSessions + 100;
    }

    int fleetSize() {
        // 0-999: handshake, resumption and POST devices; then the idle devices, the restart
        // devices and the live devices of the backlog run, each their own
        return curveOffset() + curveSessions[curveSessions.length - 1];
    }
}
