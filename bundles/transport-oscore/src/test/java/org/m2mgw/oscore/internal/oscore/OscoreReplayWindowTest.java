package org.m2mgw.oscore.internal.oscore;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The replay window of RFC 8613 section 7.4. */
class OscoreReplayWindowTest {

    @Test
    void givenAnEmptyWindow_whenPartialIvsArrive_thenEachIsAcceptedOnceAndOldOnesAreRefused() {
        ReplayWindow w = ReplayWindow.empty(32);
        assertThat(w.accept(0)).isTrue();
        assertThat(w.accept(0)).isFalse();
        assertThat(w.accept(5)).isTrue();
        assertThat(w.accept(3)).isTrue();
        assertThat(w.accept(3)).isFalse();
        assertThat(w.accept(100)).isTrue();
        assertThat(w.isFresh(69)).isTrue();
        assertThat(w.isFresh(68)).isFalse();
        assertThat(w.accept(69)).isTrue();
        assertThat(w.accept(69)).isFalse();
        assertThat(w.whyNotFresh(1)).contains("older than the replay window");
        assertThat(w.whyNotFresh(100)).contains("received before");
        assertThat(w.accept(OscoreContext.MAX_SSN)).isTrue();
        assertThat(w.accept(100)).isFalse();
    }

    @Test
    void givenAConfiguredSize_whenTheWindowSlides_thenItsWidthIsThatSize() {
        ReplayWindow w = ReplayWindow.empty(256);
        assertThat(w.accept(1000)).isTrue();
        assertThat(w.accept(745)).isTrue();
        assertThat(w.accept(744)).isFalse();
        assertThat(w.accept(1070)).isTrue();
        assertThat(w.accept(815)).isTrue();
        assertThat(w.accept(814)).isFalse();
        assertThat(w.accept(1000)).isFalse();
        assertThat(w.accept(999)).isTrue();
    }

    @Test
    void givenAnUninitialisedWindow_whenInitialisedFromAFreshRequest_thenThatAndOlderAreRefused() {
        ReplayWindow w = ReplayWindow.uninitialized(32);
        assertThat(w.isInitialized()).isFalse();
        assertThat(w.accept(7)).isFalse();
        w.initialize(50);
        assertThat(w.isInitialized()).isTrue();
        assertThat(w.accept(50)).isFalse();
        assertThat(w.accept(49)).isFalse();
        assertThat(w.accept(19)).isFalse();
        assertThat(w.accept(51)).isTrue();
    }

    @Test
    void givenAWindow_whenSavedAndRestored_thenItJudgesTheSame() {
        ReplayWindow w = ReplayWindow.empty(64);
        for (long p : new long[] {3, 9, 10, 40, 66, 70}) {
            w.accept(p);
        }
        ReplayWindow r = ReplayWindow.restore(w.state());
        for (long p = 0; p < 80; p++) {
            assertThat(r.isFresh(p)).as("piv %d", p).isEqualTo(w.isFresh(p));
        }
        assertThat(r.state()).isEqualTo(w.state());
    }
}
