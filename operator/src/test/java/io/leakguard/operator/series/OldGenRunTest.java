package io.leakguard.operator.series;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a pod's series follows a G1 old generation's run without a shrink: what the detector reads of it. */
class OldGenRunTest {

    private static final double MIB = 1024 * 1024;
    private static final long MINUTE = 60_000;

    private static PodSeries.Window window(PodSeries series) {
        PodSeries.Window w = new PodSeries.Window();
        series.copyFrom(0, w);
        return w;
    }

    private static void add(PodSeries series, long t, double oldGenMib) {
        series.add(t, new Gauges(50, 20 * MIB, 700 * MIB, 512 * MIB, 512 * MIB, Double.NaN, oldGenMib * MIB));
    }

    @Test
    void aRunLastsUntilACollectionShrinksTheOldGenerationAndItsPaceIsTheRecentOne() {
        PodSeries series = new PodSeries("life", 0, 30_000, 120);
        for (long t = 0; t <= 40 * MINUTE; t += 15_000) {
            // Flat at 100 MiB for 20 minutes, then rising 6 MiB a minute.
            add(series, t, 100 + 6.0 * Math.max(0, t - 20 * MINUTE) / MINUTE);
        }
        PodSeries.Window w = window(series);
        assertThat(w.oldGenRunMillis).isEqualTo(40 * MINUTE);
        assertThat(w.oldGenLatest / MIB).isEqualTo(220.0);
        assertThat(w.oldGenPacePerHour / MIB).as("the last 10 to 20 minutes, all of them rising").isEqualTo(360.0);
        add(series, 40 * MINUTE + 15_000, 150);
        w = window(series);
        assertThat(w.oldGenRunMillis).as("a mixed collection freed 70 MiB").isZero();
        assertThat(w.oldGenRunFrom / MIB).isEqualTo(150.0);
    }

    @Test
    void aGapInTheScrapesEndsTheRunSinceAShrinkMayHavePassedUnseen() {
        PodSeries series = new PodSeries("life", 0, 30_000, 120);
        for (long t = 0; t <= 20 * MINUTE; t += 15_000) {
            add(series, t, 100 + t / (double) MINUTE);
        }
        add(series, 30 * MINUTE, 200);
        assertThat(window(series).oldGenRunMillis).isZero();
    }

    @Test
    void withoutAnOldGenerationGaugeThereIsNoRun() {
        PodSeries series = new PodSeries("life", 0, 30_000, 120);
        series.add(0, 50, 20 * MIB, 700 * MIB);
        PodSeries.Window w = window(series);
        assertThat(w.oldGenLatest).isNaN();
        assertThat(w.oldGenRunMillis).isZero();
    }
}
