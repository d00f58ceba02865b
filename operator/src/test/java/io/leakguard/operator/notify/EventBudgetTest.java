package io.leakguard.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** Informational Events are budgeted per namespace, so that one namespace's storm neither floods the API nor silences others. */
class EventBudgetTest {

    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

    @Test
    void aStormOfVerdictChangesGetsItsBurstThenOneAMinute() {
        EventBudget budget = new EventBudget(20, Duration.ofMinutes(1));
        int recorded = 0;
        for (int i = 0; i < 1_000; i++) {
            recorded += budget.tryTake("shop", T0.plusMillis(i)) ? 1 : 0;
        }
        assertThat(recorded).isEqualTo(20);
        assertThat(budget.tryTake("shop", T0.plusSeconds(30))).isFalse();
        assertThat(budget.tryTake("shop", T0.plusSeconds(61))).isTrue();
        assertThat(budget.tryTake("shop", T0.plusSeconds(62))).isFalse();
    }

    @Test
    void oneNamespacesStormLeavesOtherNamespacesTheirOwnBudget() {
        EventBudget budget = new EventBudget(20, Duration.ofMinutes(1));
        for (int i = 0; i < 1_000; i++) {
            budget.tryTake("noisy", T0);
        }
        assertThat(budget.tryTake("quiet", T0)).isTrue();
    }

    @Test
    void aQuietNamespaceRefillsOnlyUpToItsBurst() {
        EventBudget budget = new EventBudget(20, Duration.ofMinutes(1));
        budget.tryTake("shop", T0);
        int recorded = 0;
        for (int i = 0; i < 100; i++) {
            recorded += budget.tryTake("shop", T0.plus(Duration.ofDays(1))) ? 1 : 0;
        }
        assertThat(recorded).isEqualTo(20);
    }
}
