package io.leakguard.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SamplingGridTest {

    private static final long INTERVAL = 15_000;

    @Test
    void roundsThatStartLateStillComeOncePerIntervalOverAnHour() {
        long due = 0;
        long now = 1_000_000;
        int rounds = 0;
        long start = now;
        while (now - start < 3_600_000) {
            if (now >= due) {
                due = SamplingLoop.nextDue(due, now, INTERVAL, 42);
                rounds++;
            }
            // The ticker: once a second, each tick a little late.
            now += 1_000 + 37;
        }
        assertThat(rounds).as("rounds in an hour at a 15 s interval").isBetween(239, 241);
    }

    @Test
    void aRoundLateByLessThanAnIntervalKeepsTheGrid() {
        assertThat(SamplingLoop.nextDue(30_000, 30_900, INTERVAL, 42)).isEqualTo(45_000);
    }

    @Test
    void aRoundMoreThanAnIntervalBehindStartsAgainFromNowInsteadOfRunningTheMissedOnesBackToBack() {
        assertThat(SamplingLoop.nextDue(30_000, 47_000, INTERVAL, 42)).isEqualTo(62_000);
    }

    @Test
    void afterTheirFirstRoundPoliciesSpreadOverTheIntervalInsteadOfAllScrapingInTheSameSecond() {
        java.util.Set<Long> seconds = new java.util.HashSet<>();
        for (int policy = 0; policy < 500; policy++) {
            long next = SamplingLoop.nextDue(0, 5_000, INTERVAL, ("team-" + policy + "/go").hashCode());
            assertThat(next).isBetween(5_001L, 5_000 + INTERVAL);
            seconds.add((next - 5_000) / 1_000);
        }
        assertThat(seconds).as("seconds of the interval in which some policy's rounds fall").hasSize(15);
    }
}
