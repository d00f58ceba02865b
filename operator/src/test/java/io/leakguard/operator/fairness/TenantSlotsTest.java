package io.leakguard.operator.fairness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TenantSlotsTest {

    @Test
    void oneNamespacesHangingEndpointsCannotTakeTheSlotsOfTheOthers() {
        TenantSlots slots = new TenantSlots(32, 8);
        int granted = 0;
        for (int i = 0; i < 1000; i++) {
            if (slots.tryAcquire("hostile") == null) {
                granted++;
            }
        }
        assertThat(granted).isEqualTo(8);
        assertThat(slots.tryAcquire("hostile")).contains("namespace hostile already holds its share of 8 of 32 slots");
        for (int i = 0; i < 24; i++) {
            assertThat(slots.tryAcquire("team-" + i)).isNull();
        }
        assertThat(slots.tryAcquire("late")).isEqualTo("all 32 slots are in use");
    }

    @Test
    void releasedSlotsAreGivenAgain() {
        TenantSlots slots = new TenantSlots(2, 1);
        assertThat(slots.tryAcquire("a")).isNull();
        assertThat(slots.tryAcquire("a")).isNotNull();
        slots.release("a");
        assertThat(slots.inUse("a")).isZero();
        assertThat(slots.tryAcquire("a")).isNull();
        slots.release("b"); // never held: ignored, and no slot is made up
        assertThat(slots.inUse()).isEqualTo(1);
    }
}
