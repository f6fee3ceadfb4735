package org.m2mgw.update.internal;

/**
 * One update job.
 *
 * @param seq the agent's own job number (the journal's key)
 * @param cloudJobId the {@code job.id} the cloud gave, or -1 for a local job
 * @param requester the requesting client id for cloud jobs, null for local ones
 * @param name the package's symbolic name (may be empty until the package is read)
 * @param version the package's version as requested
 */
record Job(long seq, long cloudJobId, String requester, String name, String version) {

    /** @return the REQUESTED line's detail */
    String origin() {
        return requester == null ? "local" : Journal.CLOUD + requester + ":" + cloudJobId;
    }

    /** @return a job from the first journal line of its steps */
    static Job of(Journal.Entry requested) {
        String d = requested.detail();
        if (d.startsWith(Journal.CLOUD)) {
            String rest = d.substring(Journal.CLOUD.length());
            int colon = rest.lastIndexOf(':');
            long id = -1;
            try {
                id = Long.parseLong(rest.substring(colon + 1));
            } catch (RuntimeException e) {
                // a damaged line: the outcome is still reported, without the cloud's job id
            }
            return new Job(requested.job(), id, colon < 0 ? rest : rest.substring(0, colon), requested.pkg(),
                    requested.version());
        }
        return new Job(requested.job(), -1, null, requested.pkg(), requested.version());
    }

    Job named(String n, String v) {
        return new Job(seq, cloudJobId, requester, n, v);
    }
}
