package io.leakguard.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Against values worked by hand from the textbook formulas. */
class TrendStatisticsTest {

    @Test
    void mannKendallOfAStrictlyRisingSeries() {
        var mk = TrendStatistics.mannKendall(new double[] {1, 2, 3, 4, 5}, 5);
        assertThat(mk.s()).isEqualTo(10);
        assertThat(mk.variance()).isCloseTo(50.0 / 3.0, within(1e-9));
        assertThat(mk.z()).isCloseTo(9 / Math.sqrt(50.0 / 3.0), within(1e-9));
        assertThat(mk.pUpward()).isCloseTo(0.01372, within(1e-4));
    }

    @Test
    void mannKendallCorrectsTheVarianceForTies() {
        var mk = TrendStatistics.mannKendall(new double[] {1, 2, 2, 3}, 4);
        assertThat(mk.s()).isEqualTo(5);
        // (4*3*13 - 2*1*9) / 18
        assertThat(mk.variance()).isCloseTo(138.0 / 18.0, within(1e-9));
        assertThat(mk.pUpward()).isCloseTo(0.0743, within(1e-3));
    }

    @Test
    void mannKendallOfAFlatSeriesSeesNoTrend() {
        var mk = TrendStatistics.mannKendall(new double[] {5, 5, 5, 5, 5, 5}, 6);
        assertThat(mk.s()).isZero();
        assertThat(mk.pUpward()).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void theilSenIgnoresAnOutlierThatLeastSquaresWouldFollow() {
        double[] scratch = new double[10];
        var ts = TrendStatistics.theilSen(new double[] {0, 1, 2, 3, 4}, new double[] {0, 1, 2, 3, 100}, 5, 0.95,
                50.0 / 3.0, scratch);
        assertThat(ts.slope()).isEqualTo(1.0);
    }

    @Test
    void theilSenBoundsFollowSensRanks() {
        // Slopes sorted: 1, 1, 1.5, 2, 2, 2, 2.33, 2.5, 2.5, 4. At 80%: C = 1.2816 * sqrt(16.67) = 5.23,
        // lower rank floor((10 - 5.23) / 2) = 2, upper rank ceil((10 + 5.23) / 2) + 1 = 9.
        double[] scratch = new double[10];
        var ts = TrendStatistics.theilSen(new double[] {0, 1, 2, 3, 4}, new double[] {0, 2, 3, 7, 8}, 5, 0.80,
                50.0 / 3.0, scratch);
        assertThat(ts.slope()).isCloseTo(2.0, within(1e-9));
        assertThat(ts.lower()).isCloseTo(1.0, within(1e-9));
        assertThat(ts.upper()).isCloseTo(2.5, within(1e-9));
    }

    @Test
    void theilSenAdmitsItCannotBoundTheSlopeOfFivePointsAt95Percent() {
        double[] scratch = new double[10];
        var ts = TrendStatistics.theilSen(new double[] {0, 1, 2, 3, 4}, new double[] {0, 2, 3, 7, 8}, 5, 0.95,
                50.0 / 3.0, scratch);
        assertThat(ts.lower()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(ts.upper()).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void normalDistributionAtKnownPoints() {
        assertThat(TrendStatistics.normalCdf(0)).isCloseTo(0.5, within(1e-7));
        assertThat(TrendStatistics.normalCdf(1.959964)).isCloseTo(0.975, within(1e-6));
        assertThat(TrendStatistics.normalQuantile(0.975)).isCloseTo(1.959964, within(1e-6));
        assertThat(TrendStatistics.normalQuantile(0.995)).isCloseTo(2.575829, within(1e-6));
        assertThat(TrendStatistics.normalQuantile(0.01)).isCloseTo(-2.326348, within(1e-6));
    }
}
