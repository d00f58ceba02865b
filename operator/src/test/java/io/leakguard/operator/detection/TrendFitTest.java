package io.leakguard.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One folded series at a time: which rises the fit counts, from where, and why it refuses the others. */
class TrendFitTest {

    private static final int N = 30;
    private static final double CONFIDENCE = 0.99;

    /** Thirty troughs two minutes apart (times in hours), each {@code level(i)} plus a small wobble. */
    private static TrendFit fit(java.util.function.IntToDoubleFunction level) {
        double[] t = new double[N];
        double[] v = new double[N];
        for (int i = 0; i < N; i++) {
            t[i] = i / 30.0;
            v[i] = level.applyAsDouble(i) + (i % 3) * 0.5;
        }
        return TrendFit.fit(t, v, N, CONFIDENCE, true, true, 2, new DetectorScratch());
    }

    @Test
    void aSeriesThatClimbsInRepeatedStepsIsARiseAtTheWindowsPace() {
        // 60 more every ten troughs (20 minutes), flat between: judged from its last step alone, the rise has
        // levelled off; and with steps twelve troughs apart, the last one looks like a one-off step.
        for (int every : new int[] {10, 12}) {
            TrendFit stairs = fit(i -> 300 + 60 * Math.floor(i / (double) every));
            assertThat(stairs.significant()).as("steps every %d troughs; note: %s", every, stairs.note()).isTrue();
            assertThat(stairs.start()).isZero();
            assertThat(stairs.slope()).isBetween(0.5 * 60 * 30 / every, 1.5 * 60 * 30 / every);
        }
    }

    @Test
    void aSingleStepIsStillOneOff() {
        TrendFit step = fit(i -> i < 18 ? 300 : 420);
        assertThat(step.significant()).isFalse();
        assertThat(step.note()).contains("one-off");
    }

    @Test
    void aFillThatLevelledOffIsStillNoTrend() {
        TrendFit fill = fit(i -> 300 + 120 * (1 - Math.exp(-i / 4.0)));
        assertThat(fill.significant()).isFalse();
        assertThat(fill.note()).isNotNull();
    }

    @Test
    void stepsCountOnlyWhenFlatTroughsSeparateThem() {
        assertThat(TrendFit.staircase(new double[] {0, 0, 10, 10, 10, 20, 20, 20}, 8)).isTrue();
        assertThat(TrendFit.staircase(new double[] {0, 0, 7, 14, 20, 20, 20, 20}, 8)).as("one fast fill").isFalse();
        assertThat(TrendFit.staircase(new double[] {0, 1, 2, 3, 4, 5, 6, 7}, 8)).as("a steady rise").isFalse();
    }

    @Test
    void aRiseWhosePaceCannotBeBoundedAboveZeroIsNotProjected() {
        TrendFit uncertain = new TrendFit(true, 5e6, -1e6, 0.001, 3, null);
        assertThat(uncertain.boundedAboveZero().significant()).isFalse();
        assertThat(uncertain.atLowerBound()).isEqualTo(TrendFit.NONE);
        TrendFit bounded = new TrendFit(true, 5e6, 2e6, 0.001, 3, null);
        assertThat(bounded.boundedAboveZero()).isEqualTo(bounded);
        assertThat(bounded.atLowerBound().slope()).as("projected at the pace the data promise at least").isEqualTo(2e6);
        assertThat(bounded.atLowerBound().significant()).isTrue();
    }
}
