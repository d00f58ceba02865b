package io.leakguard.operator.series;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The half-windows of thread history a pod's series keeps beyond its window: what the detector reads of them. */
class ThreadChunksTest {

    private static final long MINUTE = 60_000;

    /** One sample every 30 s (one bucket each) of {@code threads(minute)} and a load of {@code minute} bytes a second. */
    private static PodSeries fill(int minutes) {
        PodSeries series = new PodSeries("life", 0, 30_000, 120);
        for (long t = 0; t <= minutes * MINUTE; t += 30_000) {
            double m = t / (double) MINUTE;
            // allocated bytes: the integral of a load of m bytes a second, m in minutes
            double allocated = 60 * m * m / 2;
            series.add(t, new Gauges(100 + Math.round(m), 1, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, allocated));
        }
        return series;
    }

    @Test
    void eachHalfWindowThatLeftTheRingKeepsItsLowestThreadsAndMeanLoad() {
        // 180 minutes at 30 s a bucket, 120 buckets in the ring: the first two hours have left it, in four
        // half-windows of 30 minutes.
        PodSeries.Window w = new PodSeries.Window();
        fill(180).copyFrom(120 * MINUTE, Long.MIN_VALUE, w);
        assertThat(w.chunkCount).isEqualTo(4);
        assertThat(w.chunkThreadsLow[0]).isEqualTo(100.0);
        assertThat(w.chunkThreadsLow[3]).isEqualTo(190.0);
        assertThat(w.chunkLoad[1]).as("the mean load of minutes 30 to 60, about 45 bytes a second")
                .isBetween(44.0, 46.0);
    }

    @Test
    void theWarmUpIsNotHistory() {
        PodSeries.Window w = new PodSeries.Window();
        fill(180).copyFrom(120 * MINUTE, 30 * MINUTE, w);
        assertThat(w.chunkCount).as("the half-window of the warm-up is left out").isEqualTo(3);
        assertThat(w.chunkThreadsLow[0]).isEqualTo(130.0);
    }

    @Test
    void aYoungPodHasNoHistoryBeyondItsWindow() {
        PodSeries.Window w = new PodSeries.Window();
        fill(50).copyFrom(0, Long.MIN_VALUE, w);
        assertThat(w.chunkCount).isZero();
    }
}
