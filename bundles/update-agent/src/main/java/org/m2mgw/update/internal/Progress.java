package org.m2mgw.update.internal;

/** Where a job's progress goes: the cloud's NOTIFY topics, the log, a shell command's output. */
interface Progress {
    /** Kura's status values. */
    String IN_PROGRESS = "IN_PROGRESS";
    String COMPLETED = "COMPLETED";
    String FAILED = "FAILED";
    String ALREADY_DONE = "ALREADY DONE";

    /** A download's progress; {@code total} is -1 when unknown. */
    void download(Job job, long bytes, long total, int percent, String status, String error);

    /** An installation's progress. */
    void install(Job job, int percent, String status, String error);

    /** An uninstallation's progress. */
    void uninstall(Job job, int percent, String status, String error);

    /** Progress nobody listens to. */
    Progress NONE = new Progress() {
        @Override
        public void download(Job job, long bytes, long total, int percent, String status, String error) {
        }

        @Override
        public void install(Job job, int percent, String status, String error) {
        }

        @Override
        public void uninstall(Job job, int percent, String status, String error) {
        }
    };
}
