package org.m2mgw.cloud.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OncePerTest {

    @Test
    void givenTheSameKey_thenOncePerPeriod_andTheKeysStayBounded() {
        AtomicLong now = new AtomicLong();
        OncePer once = new OncePer(60, 2, now::get);
        assertThat(once.allow("a")).isTrue();
        assertThat(once.allow("a")).isFalse();
        assertThat(once.allow("b")).isTrue();
        assertThat(once.allow("c")).as("full, nothing old enough to forget").isFalse();
        now.set(59);
        assertThat(once.allow("a")).isFalse();
        now.set(60);
        assertThat(once.allow("a")).isTrue();
        assertThat(once.allow("c")).as("b forgotten").isTrue();
    }
}
