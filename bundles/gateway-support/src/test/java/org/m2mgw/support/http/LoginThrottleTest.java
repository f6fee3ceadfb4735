package org.m2mgw.support.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.m2mgw.support.http.LoginThrottle.Verdict;

class LoginThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final AtomicInteger checks = new AtomicInteger();
    private final LoginThrottle t = new LoginThrottle(5, 2_000, 300_000, 900_000, 3, now::get);

    private LoginThrottle.Result wrong(String address) {
        return t.attempt(address, () -> {
            checks.incrementAndGet();
            return false;
        });
    }

    private LoginThrottle.Result right(String address) {
        return t.attempt(address, () -> {
            checks.incrementAndGet();
            return true;
        });
    }

    @Test
    void fiveFailures_thenTheAddressIsLockedOut_withoutCheckingThePassword() {
        for (int i = 1; i <= 4; i++) {
            assertThat(wrong("a")).isEqualTo(new LoginThrottle.Result(Verdict.REFUSED, 0, i));
        }
        assertThat(wrong("a")).isEqualTo(new LoginThrottle.Result(Verdict.REFUSED, 2_000, 5));
        int checked = checks.get();

        now.addAndGet(500);
        assertThat(right("a")).isEqualTo(new LoginThrottle.Result(Verdict.THROTTLED, 1_500, 5));
        assertThat(wrong("a").verdict()).isEqualTo(Verdict.THROTTLED);
        assertThat(checks.get()).as("no password checked during the back-off").isEqualTo(checked);
        assertThat(t.throttled()).isEqualTo(2);
        assertThat(t.lockedOut()).isEqualTo(1);

        assertThat(right("b").verdict()).as("other addresses are not affected").isEqualTo(Verdict.ACCEPTED);

        now.addAndGet(1_500);
        assertThat(t.lockedOut()).isZero();
        assertThat(right("a").verdict()).isEqualTo(Verdict.ACCEPTED);
        assertThat(t.tracked()).as("a success forgets the address").isZero();
        assertThat(wrong("a")).isEqualTo(new LoginThrottle.Result(Verdict.REFUSED, 0, 1));
    }

    @Test
    void theBackoffDoubles_upToItsCap() {
        assertThat(t.backoffMs(4)).isZero();
        assertThat(t.backoffMs(5)).isEqualTo(2_000);
        assertThat(t.backoffMs(6)).isEqualTo(4_000);
        assertThat(t.backoffMs(12)).isEqualTo(256_000);
        assertThat(t.backoffMs(13)).isEqualTo(300_000);
        assertThat(t.backoffMs(10_000)).isEqualTo(300_000);

        for (int i = 0; i < 5; i++) {
            wrong("a");
        }
        long expected = 2_000;
        for (int i = 6; i <= 16; i++) {
            now.addAndGet(expected);
            expected = Math.min(expected * 2, 300_000);
            assertThat(wrong("a")).isEqualTo(new LoginThrottle.Result(Verdict.REFUSED, expected, i));
        }
        assertThat(expected).isEqualTo(300_000);
    }

    @Test
    void failuresAreForgottenAfterAQuietWhile() {
        for (int i = 0; i < 4; i++) {
            wrong("a");
        }
        now.addAndGet(900_000);
        assertThat(wrong("a")).as("counting starts again").isEqualTo(new LoginThrottle.Result(Verdict.REFUSED, 0, 1));
    }

    @Test
    void theTableIsBounded_theOldestFailureGoesFirst() {
        wrong("a");
        now.addAndGet(1);
        wrong("b");
        now.addAndGet(1);
        wrong("c");
        now.addAndGet(1);
        wrong("a"); // a is now the most recent
        now.addAndGet(1);
        wrong("d");
        assertThat(t.tracked()).isEqualTo(3);
        assertThat(t.evicted()).isEqualTo(1);
        assertThat(wrong("a").failures()).as("a kept").isEqualTo(3);
        assertThat(wrong("b").failures()).as("b was evicted").isEqualTo(1);
    }

    @Test
    void expiredAddressesMakeRoomBeforeAnyEviction() {
        wrong("a");
        wrong("b");
        wrong("c");
        now.addAndGet(900_000);
        wrong("d");
        assertThat(t.tracked()).isEqualTo(1);
        assertThat(t.evicted()).isZero();
    }

    @Test
    void parallelGuesses_cannotSlipPastTheLimit() throws Exception {
        LoginThrottle real = new LoginThrottle(LoginThrottle.FREE_ATTEMPTS, LoginThrottle.INITIAL_BACKOFF_MS,
                LoginThrottle.MAX_BACKOFF_MS, LoginThrottle.FORGET_AFTER_MS, LoginThrottle.MAX_ENTRIES, now::get);
        AtomicInteger checked = new AtomicInteger();
        Thread[] threads = new Thread[16];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                for (int j = 0; j < 50; j++) {
                    real.attempt("x", () -> {
                        checked.incrementAndGet();
                        return false;
                    });
                }
            });
            threads[i].start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(checked.get()).as("800 guesses, 5 checked before the back-off").isEqualTo(LoginThrottle.FREE_ATTEMPTS);
        assertThat(real.throttled()).isEqualTo(800 - LoginThrottle.FREE_ATTEMPTS);
    }

    @Test
    void inconsistentSettingsAreRefused() {
        assertThatThrownBy(() -> new LoginThrottle(0, 1, 1, 1, 1, now::get))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LoginThrottle(5, 1000, 10, 100_000, 1, now::get))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
