package org.m2mgw.oscore.internal.oscore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.aead;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.hex;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.lookupOf;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.parse;
import static org.m2mgw.oscore.internal.oscore.OscoreTestSupport.serialize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Contexts across restarts (RFC 8613 Appendix B.1): SSN high-water mark, replay window, files. */
class OscoreContextStoreTest {
    private static final byte[] SECRET = hex("a1a2a3a4a5a6a7a8a9aaabacadaeafb0");
    private static final OscoreParameters GATEWAY = OscoreParameters.of(SECRET, new byte[] {0x01},
            new byte[] {0x7a, 0x7b}, 10).withMasterSalt(new byte[] {9, 9}).withIdContext(new byte[] {0x55})
            .withReplayWindow(64);

    @TempDir
    Path dir;
    private FileContextStore store;

    @BeforeEach
    void store() throws IOException {
        store = new FileContextStore(dir.resolve("oscore"));
    }

    /** Records every save, optionally failing. */
    static final class CountingStore implements ContextStore {
        final List<StoredContext> saved = new ArrayList<>();
        boolean fail;

        @Override
        public void save(StoredContext state) throws IOException {
            if (fail) {
                throw new IOException("disk full");
            }
            saved.add(state);
        }

        @Override
        public Loaded loadAll() {
            return new Loaded(saved, java.util.Map.of());
        }

        @Override
        public void delete(byte[] recipientId, byte[] idContext) {
        }
    }

    @Test
    void givenALookaheadK_whenSequenceNumbersAreUsed_thenAMarkKAheadIsStoredEveryKMessages() throws Exception {
        CountingStore counting = new CountingStore();
        OscoreContext ctx = OscoreContext.derive(GATEWAY, aead(10));
        ctx.persistTo(counting, 10);
        assertThat(counting.saved).extracting(StoredContext::sequenceNumber).containsExactly(10L);
        for (int i = 0; i < 25; i++) {
            assertThat(ctx.nextSequenceNumber()).isEqualTo(i);
        }
        assertThat(counting.saved).extracting(StoredContext::sequenceNumber).containsExactly(10L, 20L, 30L);
        assertThat(counting.saved).allMatch(s -> s.replayWindow() == null);

        counting.fail = true;
        for (int i = 25; i < 30; i++) {
            ctx.nextSequenceNumber();
        }
        assertThatThrownBy(ctx::nextSequenceNumber).isInstanceOfSatisfying(OscoreException.class,
                e -> assertThat(e.reason()).isEqualTo(OscoreException.Reason.PERSISTENCE_FAILED));
        // nothing beyond the stored mark was handed out
        assertThat(ctx.sequenceNumber()).isEqualTo(30);
    }

    @Test
    void givenACrash_whenTheGatewayRestarts_thenTheSsnContinuesAboveEveryUsedValueAndEchoIsNeeded()
            throws Exception {
        OscoreContext before = OscoreContext.derive(GATEWAY, aead(10));
        before.persistTo(store, 16);
        long maxUsed = -1;
        for (int i = 0; i < 40; i++) {
            maxUsed = before.nextSequenceNumber();
        }
        // no orderly shutdown: the process is gone

        ContextStore.Loaded loaded = store.loadAll();
        assertThat(loaded.refused()).isEmpty();
        assertThat(loaded.contexts()).hasSize(1);
        StoredContext s = loaded.contexts().get(0);
        assertThat(s.parameters()).isEqualTo(GATEWAY);
        assertThat(s.hasReplayWindow()).isFalse();
        OscoreContext after = OscoreContext.restore(s, aead(10));
        after.persistTo(store, 16);
        assertThat(after.nextSequenceNumber()).isGreaterThan(maxUsed);
        assertThat(after.needsFreshness()).isTrue();
        assertThat(after.senderKey()).isEqualTo(before.senderKey());
        assertThat(after.commonIv()).isEqualTo(before.commonIv());
    }

    @Test
    void givenAnOrderlyShutdown_whenRestored_thenTheReplayWindowIsBackOnceAndReplaysAreStillRefused()
            throws Exception {
        OscoreContext device = OscoreContext.derive(GATEWAY.peer(), aead(10));
        OscoreContext gw = OscoreContext.derive(GATEWAY, aead(10));
        gw.persistTo(store, 8);
        byte[] old = serialize(OscoreClient.protectRequest(device, Request.newGet()).request());
        OscoreServer.unprotectRequest((Request) parse(old), lookupOf(gw));
        gw.saveForShutdown();

        StoredContext s = store.loadAll().contexts().get(0);
        assertThat(s.hasReplayWindow()).isTrue();
        OscoreContext restarted = OscoreContext.restore(s, aead(10));
        assertThat(restarted.needsFreshness()).isFalse();
        assertThatThrownBy(() -> OscoreServer.unprotectRequest((Request) parse(old), lookupOf(restarted)))
                .isInstanceOfSatisfying(OscoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(OscoreException.Reason.REPLAY));
        InboundRequest in = OscoreServer.unprotectRequest(
                (Request) parse(serialize(OscoreClient.protectRequest(device, Request.newGet()).request())),
                lookupOf(restarted));
        assertThat(in.binding().isReplayChecked()).isTrue();

        // once in use, the saved window is gone from disk: a crash now means Echo after the restart
        restarted.persistTo(store, 8);
        assertThat(store.loadAll().contexts().get(0).hasReplayWindow()).isFalse();
    }

    @Test
    void givenAStoredContext_thenItsFileIsOwnerOnlyAndHoldsNoSecretInItsName() throws Exception {
        OscoreContext.derive(GATEWAY, aead(10)).persistTo(store, 8);
        Path file = store.fileOf(GATEWAY.recipientId(), GATEWAY.idContext());
        assertThat(file.getFileName().toString()).isEqualTo("r7a7b-c55.oscore");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.directory())))
                .isEqualTo("rwx------");
        try (var files = Files.list(store.directory())) {
            assertThat(files).containsExactly(file);
        }
        assertThat(GATEWAY.toString()).doesNotContain(hex(SECRET));
        assertThat(store.loadAll().contexts().get(0).toString()).doesNotContain(hex(SECRET));
    }

    @Test
    void givenACorruptOrTruncatedFile_whenLoaded_thenItIsRefusedWithAReasonAndLeftAsItIs() throws Exception {
        OscoreContext.derive(GATEWAY, aead(10)).persistTo(store, 8);
        OscoreParameters other = OscoreParameters.of(SECRET, new byte[] {0x01}, new byte[] {0x02}, 10);
        OscoreContext.derive(other, aead(10)).persistTo(store, 8);
        Path file = store.fileOf(GATEWAY.recipientId(), GATEWAY.idContext());
        byte[] good = Files.readAllBytes(file);

        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 0x01;
        Files.write(file, flipped);
        ContextStore.Loaded loaded = store.loadAll();
        assertThat(loaded.contexts()).hasSize(1);
        assertThat(loaded.refused()).containsOnlyKeys(file);
        assertThat(loaded.refused().get(file)).containsAnyOf("digest mismatch", "corrupt", "invalid");
        assertThat(Files.readAllBytes(file)).isEqualTo(flipped);

        Files.write(file, java.util.Arrays.copyOf(good, good.length - 5));
        assertThat(store.loadAll().refused().get(file)).contains("corrupt");
        Files.write(file, new byte[0]);
        assertThat(store.loadAll().refused().get(file)).contains("corrupt");
        assertThatThrownBy(() -> store.load(file)).isInstanceOf(ContextStoreException.class)
                .hasMessageContaining(file.getFileName().toString());

        // a valid file under another context's name is refused too
        Files.copy(store.fileOf(other.recipientId(), null), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(store.loadAll().refused().get(file)).contains("holds the context of r02.oscore");
    }

    @Test
    void givenAStoredContext_whenDeleted_thenItIsGone() throws Exception {
        OscoreContext.derive(GATEWAY, aead(10)).persistTo(store, 8);
        store.delete(GATEWAY.recipientId(), GATEWAY.idContext());
        assertThat(store.loadAll().contexts()).isEmpty();
    }

    @Test
    void givenTheGatewayAfterRestart_whenItAnswersTheFirstRequest_thenTheResponseDecryptsAtTheDevice() throws Exception {
        OscoreContext gw = OscoreContext.derive(GATEWAY, aead(10));
        gw.persistTo(store, 4);
        OscoreContext device = OscoreContext.derive(GATEWAY.peer(), aead(10));
        OscoreContext restored = OscoreContext.restore(store.loadAll().contexts().get(0), aead(10));
        ProtectedRequest p = OscoreClient.protectRequest(device, Request.newGet());
        InboundRequest in = OscoreServer.unprotectRequest((Request) parse(serialize(p.request())), lookupOf(restored));
        Response outer = OscoreServer.protectResponse(in.binding(), new Response(ResponseCode.CONTENT), false);
        assertThat(OscoreOption.decode(outer.getOptions().getOscore()).sequenceNumber()).isEqualTo(4);
        assertThat(OscoreClient.unprotectResponse(p.binding(), (Response) parse(serialize(outer))).getCode())
                .isEqualTo(ResponseCode.CONTENT);
    }
}
