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

    @Test
    void gridsLieJustBeforeTheTicksSoThatRoundsStartMillisecondsLateNotASecond() {
        // Ticks fall 300 ms into each second, at a fixed rate.
        long phase = 300;
        long now = 1_000_300;
        long due = SamplingLoop.nextDue(0, now, INTERVAL, 42, phase);
        assertThat(Math.floorMod(due, 1_000)).isEqualTo(280);
        long worst = 0;
        for (int round = 0; round < 240; round++) {
            long tick = due + Math.floorMod(phase - due, 1_000);
            worst = Math.max(worst, tick - due);
            due = SamplingLoop.nextDue(due, tick, INTERVAL, 42, phase);
        }
        assertThat(worst).as("how late a round starts, in ms").isEqualTo(20);
    }

    @Test
    void aRoundThatFellBehindRejoinsTheTicks() {
        long next = SamplingLoop.nextDue(30_280, 47_300, INTERVAL, 42, 300);
        assertThat(next).isGreaterThan(47_300);
        assertThat(Math.floorMod(next, 1_000)).isEqualTo(280);
    }
}
