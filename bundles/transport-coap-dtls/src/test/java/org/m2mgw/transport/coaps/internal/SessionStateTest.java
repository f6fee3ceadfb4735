package org.m2mgw.transport.coaps.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Random;
import org.eclipse.californium.core.CoapServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionStateTest {
    @TempDir
    Path dir;

    @Test
    void givenSavedState_whenSealed_thenItOpensOnlyUnchangedAndUnderTheSameKey() throws Exception {
        SessionState state = SessionState.in(dir, "org.m2mgw.transport.coaps~default");
        byte[] plain = new byte[200_000];
        new Random(7).nextBytes(plain);
        byte[] sealed = state.encrypt(plain);
        assertArrayEquals(SessionState.MAGIC, Arrays.copyOf(sealed, SessionState.MAGIC.length));
        assertFalse(new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains(new String(plain, 0, 64, java.nio.charset.StandardCharsets.ISO_8859_1)));
        assertArrayEquals(plain, state.decrypt(sealed));
        // two saves never share a nonce
        assertFalse(Arrays.equals(sealed, state.encrypt(plain)));

        byte[] flipped = sealed.clone();
        flipped[flipped.length / 2] ^= 1;
        assertThrows(GeneralSecurityException.class, () -> state.decrypt(flipped));

        // another gateway key (another data directory) cannot open it
        Path other = Files.createDirectory(dir.resolve("other"));
        SessionState stranger = SessionState.in(other, "org.m2mgw.transport.coaps~default");
        assertThrows(GeneralSecurityException.class, () -> stranger.decrypt(sealed));
    }

    @Test
    void givenATamperedStateFile_whenRestored_thenItIsRefusedWithAReasonAndDeleted() throws Exception {
        SessionState state = SessionState.in(dir, "listener");
        byte[] sealed = state.encrypt(new byte[1000]);
        sealed[sealed.length - 1] ^= 1;
        Files.write(state.file(), sealed);
        // the file is opened before any server is touched: no server is needed to refuse it
        CoapServer server = null;
        IOException e = assertThrows(IOException.class, () -> state.restore(server));
        assertTrue(e.getMessage().contains("unreadable"), e.getMessage());
        assertFalse(Files.exists(state.file()), "a state file is used once, also when it is refused");
        assertEquals(0, state.restore(server), "nothing left to restore");
    }
}
