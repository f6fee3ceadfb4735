package org.m2mgw.update.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.m2mgw.update.internal.download.DownloadException;
import org.m2mgw.update.internal.download.Downloader;
import org.m2mgw.update.internal.kura.KuraPayload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kura's DEPLOY-V2 cloudlet, as Kura's own code does it: requests on
 * {@code $EDC/{account}/{client}/DEPLOY-V2/{GET|EXEC|DEL}/{resource}}, replies with
 * {@code response.code} on {@code $EDC/{account}/{requester}/DEPLOY-V2/REPLY/{request.id}}, progress
 * on {@code $EDC/{account}/{requester}/DEPLOY-V2/NOTIFY/{client}/{download|install|uninstall}}, all
 * as Kura protobuf payloads. Our additions to EXEC download: {@code dp.signature} (the detached
 * signature document inline) or {@code dp.signature.uri} (default: {@code dp.uri + ".sig"}), and
 * {@code dp.rollback.permission} (a signed permission to downgrade).
 */
final class Deploy2Handler {
    private static final Logger LOG = LoggerFactory.getLogger(Deploy2Handler.class);
    private static final String APP = "DEPLOY-V2";

    private final UpdateConfig config;
    private final String client;
    private final UpdateAgent agent;
    private final String prefix;
    private final ExecutorService requests;
    private final AtomicBoolean cancel = new AtomicBoolean();
    private volatile MqttClient mqtt;
    private volatile String state = "starting";
    private volatile boolean running = true;
    private volatile boolean warned;
    /** Outcomes are reported only once requests can be heard: a reply to a request made then must arrive. */
    private volatile boolean subscribed;
    private int failures;

    Deploy2Handler(UpdateConfig config, String client, UpdateAgent agent) {
        this.config = config;
        this.client = client;
        this.agent = agent;
        this.prefix = "$EDC/" + config.account_name() + "/";
        this.requests = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "m2mgw-update-requests");
            t.setDaemon(true);
            return t;
        });
    }

    String state() {
        return state;
    }

    void start() {
        requests.execute(this::connect);
    }

    private void connect() {
        while (running) {
            try {
                MqttClient c = new MqttClient(config.broker_url(), client + "-deploy", new MemoryPersistence());
                c.setCallback(callback());
                MqttConnectOptions o = new MqttConnectOptions();
                o.setCleanSession(true);
                o.setAutomaticReconnect(true);
                o.setMaxReconnectDelay(30_000);
                o.setConnectionTimeout(10);
                if (!config.broker_username().isBlank()) {
                    o.setUserName(config.broker_username());
                    o.setPassword(config.broker_password().toCharArray());
                }
                mqtt = c;
                c.connect(o);
                return;
            } catch (MqttException e) {
                state = "DEPLOY-V2 not connected to " + config.broker_url() + ": " + e.getMessage();
                // The distro's embedded broker may still be starting: only a lasting failure is news.
                if (++failures == 1) {
                    LOG.info("Update agent: {} not reachable yet ({}); retrying every 10 s", config.broker_url(),
                            e.getMessage());
                } else if (failures >= 3 && !warned) {
                    warned = true;
                    LOG.warn("Update agent: cannot connect to {} for DEPLOY-V2 requests ({}); retrying every 10 s",
                            config.broker_url(), e.getMessage());
                }
                closeQuietly();
                sleep(10_000);
            }
        }
    }

    private MqttCallbackExtended callback() {
        return new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                requests.execute(Deploy2Handler.this::subscribe);
            }

            @Override
            public void connectionLost(Throwable cause) {
                subscribed = false;
                state = "DEPLOY-V2 connection lost: " + cause + "; reconnecting";
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                byte[] bytes = message.getPayload();
                requests.execute(() -> request(topic, bytes));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        };
    }

    private void subscribe() {
        MqttClient c = mqtt;
        if (c == null) {
            return;
        }
        String filter = prefix + client + "/" + APP + "/#";
        try {
            c.subscribe(filter, 1);
            subscribed = true;
            state = "DEPLOY-V2 on " + config.broker_url() + " (" + filter + ")";
            warned = false;
            failures = 0;
            LOG.info("Update agent: listening for DEPLOY-V2 requests on {} at {}", filter, config.broker_url());
            reportUnreported();
        } catch (MqttException e) {
            state = "DEPLOY-V2 cannot subscribe: " + e.getMessage();
            LOG.warn("Update agent: cannot subscribe to {}: {}", filter, e.getMessage());
        }
    }

    /** Reports, on the request thread, the outcomes not yet reported (when connected). */
    void reportOutcomes() {
        try {
            requests.execute(this::reportUnreported);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("stopping: outcomes are reported at the next start");
        }
    }

    /** Tells the cloud the outcome of jobs that ended while it could not hear (a restart, a lost link). */
    private synchronized void reportUnreported() {
        UpdateEngine engine = agent.engine();
        if (!subscribed) {
            return;
        }
        try {
            for (List<Journal.Entry> steps : engine.unreported()) {
                Job job = Job.of(steps.get(0));
                Journal.Entry end = steps.stream().filter(s -> s.step().terminal()).reduce((a, b) -> b).orElseThrow();
                boolean uninstall = end.step() == Journal.Step.UNINSTALLED;
                String status = end.step() == Journal.Step.COMMITTED || uninstall ? Progress.COMPLETED
                        : end.detail().startsWith("ALREADY DONE") ? Progress.ALREADY_DONE : Progress.FAILED;
                Job named = job.named(end.pkg(), end.version());
                KuraPayload p = uninstall ? uninstallPayload(named, 100, status, null)
                        : installPayload(named, 100, status, Progress.FAILED.equals(status) ? end.detail() : null);
                if (publish(notifyTopic(job.requester(), uninstall ? "uninstall" : "install"), p)) {
                    engine.reported(job.seq(), end.pkg(), end.version());
                }
            }
        } catch (IOException e) {
            LOG.warn("Update agent: cannot read the journal to report outcomes: {}", e.getMessage());
        }
    }

    void stop() {
        running = false;
        cancel.set(true);
        requests.shutdownNow();
        closeQuietly();
        state = "stopped";
    }

    private void closeQuietly() {
        MqttClient c = mqtt;
        mqtt = null;
        if (c != null) {
            try {
                if (c.isConnected()) {
                    c.disconnect(1000);
                }
            } catch (MqttException e) {
                LOG.debug("disconnect: {}", e.toString());
            }
            try {
                c.close(true);
            } catch (MqttException e) {
                LOG.debug("close: {}", e.toString());
            }
        }
    }

    // ----------------------------------------------------------------- requests

    private void request(String topic, byte[] bytes) {
        String head = prefix + client + "/" + APP + "/";
        if (!topic.startsWith(head)) {
            return;
        }
        String[] parts = topic.substring(head.length()).split("/");
        if (parts.length > 0 && (parts[0].equals("REPLY") || parts[0].equals("NOTIFY"))) {
            return;
        }
        KuraPayload req;
        try {
            req = KuraPayload.decode(bytes);
        } catch (IllegalArgumentException e) {
            LOG.warn("Update agent: DEPLOY-V2 request on {} refused: malformed payload: {}", topic, e.getMessage());
            return;
        }
        Optional<String> requester = req.string("requester.client.id");
        Optional<String> requestId = req.string("request.id");
        if (requester.isEmpty() || requestId.isEmpty() || !requester.get().matches("[^#+/]{1,200}")
                || !requestId.get().matches("[^#+/]{1,200}")) {
            LOG.warn("Update agent: DEPLOY-V2 request on {} refused: requester.client.id or request.id missing "
                    + "or unusable", topic);
            return;
        }
        String replyTopic = prefix + requester.get() + "/" + APP + "/REPLY/" + requestId.get();
        KuraPayload reply;
        try {
            reply = dispatch(parts, req, requester.get());
        } catch (IllegalArgumentException e) {
            // a metric of the wrong type, a malformed dp.download.hash
            reply = new KuraPayload().put("response.code", 400).put("response.exception.message", e.getMessage());
            LOG.warn("Update agent: DEPLOY-V2 {} refused (400): {}", String.join("/", parts), e.getMessage());
        } catch (PackageException e) {
            int code = e.kind() == PackageException.Kind.NOT_FOUND ? 404
                    : e.kind() == PackageException.Kind.REQUEST ? 400 : 500;
            reply = new KuraPayload().put("response.code", code).put("response.exception.message", e.getMessage());
            LOG.warn("Update agent: DEPLOY-V2 {} refused ({}): {}", String.join("/", parts), code, e.getMessage());
        } catch (RuntimeException e) {
            reply = new KuraPayload().put("response.code", 500).put("response.exception.message", e.toString());
            LOG.error("Update agent: DEPLOY-V2 {} failed", String.join("/", parts), e);
        }
        publish(replyTopic, reply.timestamp(System.currentTimeMillis()));
    }

    private KuraPayload dispatch(String[] parts, KuraPayload req, String requester) throws PackageException {
        String method = parts.length > 0 ? parts[0] : "";
        String resource = parts.length > 1 ? parts[1] : "";
        UpdateEngine engine = agent.engine();
        if (engine == null) {
            throw new PackageException(PackageException.Kind.INSTALL, "the update agent did not start");
        }
        switch (method + "/" + resource) {
            case "GET/packages":
                return ok().body(Listings.packagesXml(engine).getBytes(StandardCharsets.UTF_8));
            case "GET/bundles":
                return ok().body(Listings.bundlesXml(engine.installer()).getBytes(StandardCharsets.UTF_8));
            case "GET/download":
            case "GET/install":
                return ok().put("dp.status", engine.current());
            case "DEL/download":
                cancel.set(true);
                return ok();
            case "EXEC/download":
                download(req, requester);
                return ok();
            case "EXEC/install":
                installDownloaded(req, requester);
                return ok();
            case "EXEC/uninstall":
            case "DEL/packages":
                uninstall(req, requester, parts);
                return ok();
            case "EXEC/start":
            case "EXEC/stop":
                if (!config.bundles_remote_control()) {
                    throw new PackageException(PackageException.Kind.REQUEST, method + "/" + resource + " of bundles "
                            + "is off on this gateway (bundles.remote.control)");
                }
                if (parts.length != 3 || !parts[2].matches("\\d{1,18}")) {
                    throw new PackageException(PackageException.Kind.REQUEST, "expected " + method + "/" + resource
                            + "/{bundle id}");
                }
                engine.installer().startStop(Long.parseLong(parts[2]), resource.equals("start"));
                return ok();
            default:
                throw new PackageException(PackageException.Kind.NOT_FOUND, "no such DEPLOY-V2 resource: "
                        + String.join("/", parts));
        }
    }

    private static KuraPayload ok() {
        return new KuraPayload().put("response.code", 200);
    }

    private static String required(KuraPayload req, String name) throws PackageException {
        return req.string(name).filter(s -> !s.isBlank()).orElseThrow(() ->
                new PackageException(PackageException.Kind.REQUEST, "metric " + name + " is required"));
    }

    private void download(KuraPayload req, String requester) throws PackageException {
        URI uri;
        try {
            uri = URI.create(required(req, "dp.uri"));
        } catch (IllegalArgumentException e) {
            throw new PackageException(PackageException.Kind.REQUEST, "dp.uri is not a URI: " + e.getMessage());
        }
        String name = required(req, "dp.name");
        String version = required(req, "dp.version");
        long jobId = req.number("job.id").orElseThrow(() ->
                new PackageException(PackageException.Kind.REQUEST, "metric job.id is required"));
        boolean install = req.bool("dp.install").orElse(true);
        boolean resume = req.bool("dp.download.resume").orElse(true);
        String hash = req.string("dp.download.hash").orElse(null);
        String user = req.string("dp.download.username").orElse(null);
        char[] password = req.string("dp.download.password").map(String::toCharArray).orElse(null);
        Path dir = agent.root().resolve("downloads");
        Path file = dir.resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + "_"
                + version.replaceAll("[^A-Za-z0-9._-]", "_") + ".dp");
        // Checked here, so that a malformed request gets its 400 before any job exists.
        Downloader.Request download = new Downloader.Request(uri, file, config.download_max_bytes(),
                config.download_stall_seconds() * 1000L, config.download_timeout_seconds() * 1000L, resume, hash,
                Math.max(1, config.download_notify_percent()), user, password);
        byte[] permission = rollbackPermission(req);
        UpdateEngine engine = agent.engine();
        cancel.set(false);
        agent.submit(() -> {
            Job job;
            try {
                job = engine.newJob(jobId, requester, name, version);
            } catch (IOException e) {
                LOG.error("Update agent: cannot journal job {}: {}", jobId, e.getMessage());
                return;
            }
            Progress p = progress();
            if (engine.installer().installedVersion(name).filter(version::equals).isPresent()) {
                engine.alreadyDone(job);
                p.download(job, 0, 0, 100, Progress.ALREADY_DONE, null);
                return;
            }
            byte[] signature;
            try {
                Files.createDirectories(dir);
                Downloader d = new Downloader(Listings.tls(config));
                Downloader.Result r = d.download(download,
                        (bytes, total, percent) -> p.download(job, bytes, total, percent, Progress.IN_PROGRESS, null),
                        cancel::get);
                signature = signature(req, uri, dir);
                engine.downloaded(job, r.file(), r.size() + " bytes" + (r.resumed() ? ", resumed" : ""));
                p.download(job, r.size(), r.size(), 100, Progress.COMPLETED, null);
            } catch (DownloadException e) {
                PackageException pe = new PackageException(PackageException.Kind.DOWNLOAD, "download failed: "
                        + e.getMessage(), e);
                engine.failed(job, pe);
                p.download(job, 0, -1, 0, Progress.FAILED, pe.getMessage());
                return;
            } catch (IOException | java.security.GeneralSecurityException | PackageException e) {
                PackageException pe = e instanceof PackageException x ? x : new PackageException(
                        PackageException.Kind.DOWNLOAD, "download failed: " + e.getMessage(), e);
                engine.failed(job, pe);
                p.download(job, 0, -1, 0, Progress.FAILED, pe.getMessage());
                return;
            }
            if (install) {
                try {
                    engine.install(job, file, signature, permission, p);
                } catch (PackageException e) {
                    // journalled and notified by the engine
                } finally {
                    deleteQuietly(file);
                }
            } else {
                try {
                    Files.write(file.resolveSibling(file.getFileName() + ".sig"), signature);
                } catch (IOException e) {
                    LOG.warn("Update agent: cannot keep the signature of {}: {}", file, e.getMessage());
                }
            }
        });
    }

    private byte[] signature(KuraPayload req, URI uri, Path dir) throws IOException, PackageException,
            java.security.GeneralSecurityException {
        return SignatureSource.fetch(config, name -> req.string(name), uri, dir, cancel::get);
    }

    private static byte[] rollbackPermission(KuraPayload req) {
        return req.string("dp.rollback.permission").map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    private void installDownloaded(KuraPayload req, String requester) throws PackageException {
        String name = required(req, "dp.name");
        String version = required(req, "dp.version");
        long jobId = req.number("job.id").orElse(-1L);
        Path file = agent.root().resolve("downloads").resolve(name.replaceAll("[^A-Za-z0-9._-]", "_") + "_"
                + version.replaceAll("[^A-Za-z0-9._-]", "_") + ".dp");
        if (!Files.isRegularFile(file)) {
            throw new PackageException(PackageException.Kind.NOT_FOUND, "no downloaded package " + name + " " + version);
        }
        UpdateEngine engine = agent.engine();
        agent.submit(() -> {
            try {
                Job job = engine.newJob(jobId, requester, name, version);
                Path sig = file.resolveSibling(file.getFileName() + ".sig");
                byte[] signature = Files.exists(sig) ? Files.readAllBytes(sig) : null;
                engine.install(job, file, signature, rollbackPermission(req), progress());
                deleteQuietly(file);
                deleteQuietly(sig);
            } catch (IOException e) {
                LOG.error("Update agent: install of {} {} failed: {}", name, version, e.getMessage());
            } catch (PackageException e) {
                // journalled and notified by the engine
            }
        });
    }

    private void uninstall(KuraPayload req, String requester, String[] parts) throws PackageException {
        String name = parts.length > 2 ? parts[2] : required(req, "dp.name");
        long jobId = req.number("job.id").orElse(-1L);
        UpdateEngine engine = agent.engine();
        if (engine.installer().installedVersion(name).isEmpty()) {
            throw new PackageException(PackageException.Kind.NOT_FOUND, "no package '" + name + "' is installed");
        }
        // Uninstalling brings the distro's older bundles back: a downgrade, so it needs the same
        // signed permission, naming the version "distro".
        engine.permitUninstall(name, rollbackPermission(req));
        agent.submit(() -> {
            try {
                Job job = engine.newJob(jobId, requester, name, engine.installer().installedVersion(name).orElse(""));
                engine.uninstall(job, progress());
            } catch (IOException e) {
                LOG.error("Update agent: uninstall of {} failed: {}", name, e.getMessage());
            } catch (PackageException e) {
                // journalled and notified by the engine
            }
        });
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("delete {}: {}", p, e.toString());
        }
    }

    // ----------------------------------------------------------------- notifications

    private String notifyTopic(String requester, String what) {
        return prefix + requester + "/" + APP + "/NOTIFY/" + client + "/" + what;
    }

    private Progress progress() {
        return new Progress() {
            @Override
            public void download(Job job, long bytes, long total, int percent, String status, String error) {
                KuraPayload p = new KuraPayload().put("job.id", job.cloudJobId())
                        .put("dp.download.size", total).put("dp.download.progress", percent)
                        .put("dp.download.status", status).put("dp.download.index", 0);
                if (error != null) {
                    p.put("dp.download.error.message", error);
                }
                boolean sent = publish(notifyTopic(job.requester(), "download"), p);
                if (sent && (Progress.FAILED.equals(status) || Progress.ALREADY_DONE.equals(status))) {
                    markReported(job);
                }
            }

            @Override
            public void install(Job job, int percent, String status, String error) {
                if (publish(notifyTopic(job.requester(), "install"), installPayload(job, percent, status, error))
                        && !Progress.IN_PROGRESS.equals(status)) {
                    markReported(job);
                }
            }

            @Override
            public void uninstall(Job job, int percent, String status, String error) {
                if (publish(notifyTopic(job.requester(), "uninstall"), uninstallPayload(job, percent, status, error))
                        && !Progress.IN_PROGRESS.equals(status)) {
                    markReported(job);
                }
            }
        };
    }

    private void markReported(Job job) {
        try {
            agent.engine().reported(job.seq(), job.name(), job.version());
        } catch (IOException e) {
            LOG.debug("journal: {}", e.toString());
        }
    }

    private static KuraPayload installPayload(Job job, int percent, String status, String error) {
        KuraPayload p = new KuraPayload().put("job.id", job.cloudJobId()).put("dp.name", job.name())
                .put("dp.version", job.version()).put("dp.install.progress", percent)
                .put("dp.install.status", status);
        if (error != null) {
            p.put("dp.install.error.message", error);
        }
        return p;
    }

    private static KuraPayload uninstallPayload(Job job, int percent, String status, String error) {
        KuraPayload p = new KuraPayload().put("job.id", job.cloudJobId()).put("dp.name", job.name())
                .put("dp.version", job.version()).put("dp.uninstall.progress", percent)
                .put("dp.uninstall.status", status);
        if (error != null) {
            p.put("dp.uninstall.error.message", error);
        }
        return p;
    }

    /** @return whether the broker took it (QoS 1) */
    private boolean publish(String topic, KuraPayload payload) {
        MqttClient c = mqtt;
        if (c == null || !c.isConnected()) {
            return false;
        }
        try {
            MqttMessage m = new MqttMessage(payload.timestamp(System.currentTimeMillis()).encode());
            m.setQos(1);
            c.publish(topic, m);
            return true;
        } catch (MqttException e) {
            LOG.warn("Update agent: cannot publish on {}: {}", topic, e.getMessage());
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
