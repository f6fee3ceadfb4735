package org.m2mgw.cloud.internal.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QueueOptionsTest {

    @Test
    void givenDefaults_thenTheyAreValidAndRefuseWhenFull() {
        QueueOptions d = QueueOptions.defaults();

        assertThat(d.fullPolicy()).isEqualTo(FullPolicy.REFUSE);
        assertThat(d.segmentBytes()).isEqualTo(8 << 20);
    }

    @Test
    void givenBadValues_whenCreated_thenTheMessageNamesTheKey() {
        QueueOptions d = QueueOptions.defaults();

        assertThatThrownBy(() -> d.withMaxMessages(0)).hasMessage("queue.max.messages must be between 1 and 10000000: 0");
        assertThatThrownBy(() -> d.withMaxBytes(10)).hasMessageStartingWith("queue.max.bytes ");
        assertThatThrownBy(() -> d.withFullPolicy(null)).hasMessageStartingWith("queue.full.policy ");
        assertThatThrownBy(() -> d.withSegmentBytes(1 << 30)).hasMessageStartingWith("queue.segment.bytes ");
        assertThatThrownBy(() -> d.withMaxRecordBytes(d.segmentBytes() + 1))
                .hasMessageStartingWith("queue.max.record.bytes ").hasMessageContaining("queue.segment.bytes");
        assertThatThrownBy(() -> d.withRetryAfterSeconds(0)).hasMessageStartingWith("queue.retry.after.seconds ");
        assertThatThrownBy(() -> d.withAckSyncMillis(-1)).hasMessageStartingWith("queue.ack.sync.ms ");
    }

    @Test
    void givenPolicyText_whenParsed_thenCaseIsIgnoredAndUnknownNamesTheKey() {
        assertThat(FullPolicy.parse(" drop_oldest ")).isEqualTo(FullPolicy.DROP_OLDEST);
        assertThat(FullPolicy.parse("REFUSE")).isEqualTo(FullPolicy.REFUSE);
        assertThatThrownBy(() -> FullPolicy.parse("block"))
                .hasMessage("queue.full.policy must be REFUSE or DROP_OLDEST: 'block'");
    }
}
