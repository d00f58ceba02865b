package io.leakguard.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import io.leakguard.operator.series.Gauges;
import io.leakguard.operator.series.PodSeries;
import org.junit.jupiter.api.Test;

/**
 * Goroutines judged against the pod's load (its allocation rate): growth the load cannot carry is a leak
 * whatever its pace, and growth that follows the load is traffic whatever its pace.
 */
class ThreadsAgainstLoadTest {

    private static final double MIB = 1024 * 1024;
    private static final long MINUTE = 60_000;
    /** Window 1h, horizon 15m, warm-up 10m, 500 goroutines/h, 15s: the example policy's. */
    private static final DetectorSettings SETTINGS = TrendDetectorTest.DEFAULTS;

    /**
     * A Go pod sampled every 15 s for {@code minutes}: its goroutines and its load (MiB allocated a second, with
     * 10% noise from scrape to scrape) as functions of the minute; a flat heap far below the limit. Without
     * {@code withCounter}, the pod's exporter gives no allocation counter.
     */
    private static Verdict judge(int minutes, DoubleUnaryOperator goroutines, DoubleUnaryOperator loadMib, boolean withCounter) {
        return judge(minutes, goroutines, loadMib, withCounter, 0.1);
    }

    /** As above, the allocation noisy from scrape to scrape by {@code noise} (a standard deviation, as a share). */
    private static Verdict judge(int minutes, DoubleUnaryOperator goroutines, DoubleUnaryOperator loadMib, boolean withCounter,
            double noise) {
        PodSeries series = new PodSeries("life", 0, SETTINGS.bucketMillis(), DetectorSettings.BUCKETS);
        SplittableRandom random = new SplittableRandom(7);
        double allocated = 0;
        for (long t = 0; t <= minutes * MINUTE; t += 15_000) {
            double m = t / (double) MINUTE;
            allocated += loadMib.applyAsDouble(m) * MIB * 15 * Math.max(0, 1 + noise * random.nextGaussian());
            double heap = 100 * MIB + ((t / 15_000) % 4) * 8 * MIB;
            series.add(t, new Gauges(Math.round(goroutines.applyAsDouble(m)), heap, heap + 60 * MIB, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, withCounter ? allocated : Double.NaN));
        }
        return TrendDetector.evaluate(series, new TrendCache(), new DetectorScratch(), minutes * MINUTE,
                Ceilings.memoryLimit(4096 * MIB), SETTINGS);
    }

    @Test
    void goroutinesGrowingUnderTheBoundWhileTheLoadHoldsSteadyAreLeaking() {
        // 420 an hour on a pod of 600: under the 500/h bound, and far from doubling within the hour.
        DoubleUnaryOperator goroutines = m -> 600 + 7 * m;
        Verdict verdict = judge(60, goroutines, m -> 20, true);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.reason()).contains("while the load (allocation rate) held steady")
                .contains("more than the load can explain");

        Verdict withoutLoad = judge(60, goroutines, m -> 20, false);
        assertThat(withoutLoad.kind()).as("the same goroutines, from an exporter without the allocation counter")
                .isEqualTo(VerdictKind.Suspect);
    }

    @Test
    void goroutinesGrowingUnderTheBoundWhileANoisyLoadHoldsSteadyAreLeaking() {
        // The same leak, but the allocation rate jumps by 40% from scrape to scrape: its trend's upper bound
        // is far above a load that held steady, and must not carry the goroutines' rise.
        Verdict verdict = judge(60, m -> 600 + 7 * m, m -> 20, true, 0.4);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.reason()).contains("more than the load can explain");
    }

    @Test
    void aSmallPodLeakingAHundredGoroutinesAnHourIsLeakingWithinItsFirstHour() {
        // 60 goroutines, plus 100 an hour never released: the rise within the window stays under a hundred,
        // yet it is more than the pod had at the start, while the load held steady.
        Verdict verdict = judge(60, m -> 60 + 100 * m / 60, m -> 3, true);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.reason()).contains("more than the load can explain");

        Verdict fewer = judge(60, m -> 60 + 30 * m / 60, m -> 3, true);
        assertThat(fewer.kind()).as("thirty goroutines an hour are a handful, not yet a leak: " + fewer.reason())
                .isNotEqualTo(VerdictKind.Leaking);
    }

    @Test
    void goroutinesThatFollowARisingLoadPastTheBoundAreTraffic() {
        // Traffic flat for an hour, then doubling over the next: 1,000 in-flight goroutines become 2,000.
        DoubleUnaryOperator traffic = m -> m < 60 ? 1 : 1 + (m - 60) / 60;
        DoubleUnaryOperator goroutines = m -> 100 + 1000 * traffic.applyAsDouble(m);
        DoubleUnaryOperator load = m -> 30 * traffic.applyAsDouble(m);

        Verdict withoutLoad = judge(120, goroutines, load, false);
        assertThat(withoutLoad.kind()).as("without the load, a rise of 1,000 an hour breaks the bound: "
                + withoutLoad.reason()).isEqualTo(VerdictKind.Leaking);

        Verdict verdict = judge(120, goroutines, load, true);
        assertThat(verdict.kind()).as(verdict.reason()).isNotEqualTo(VerdictKind.Leaking);
        assertThat(verdict.reason()).contains("enough to carry them (traffic)");
    }

    @Test
    void goroutinesThatFollowALoadWhoseAllocationIsNoisyAreStillTraffic() {
        // The same doubling, but the allocation rate jumps by 40% from scrape to scrape (a runtime allocates
        // in bursts): the load's trend is uncertain, yet it plainly doubled, and the goroutines with it.
        DoubleUnaryOperator traffic = m -> m < 60 ? 1 : 1 + (m - 60) / 60;
        Verdict verdict = judge(120, m -> 100 + 1000 * traffic.applyAsDouble(m), m -> 30 * traffic.applyAsDouble(m), true,
                0.4);
        assertThat(verdict.kind()).as(verdict.reason()).isNotEqualTo(VerdictKind.Leaking);
        assertThat(verdict.reason()).contains("enough to carry them (traffic)");
    }

    @Test
    void aServiceOfThousandsLeakingPastTheBoundWhileItsLoadRoseALittleIsLeakingWithinItsFirstHour() {
        // 2,000 goroutines, half of them in flight with traffic that rose 10% in the hour, and 900 an hour never
        // released: past the 500/h bound, a third of the level by minute 60, and more than the load carries.
        DoubleUnaryOperator traffic = m -> 1 + 0.1 * m / 60;
        Verdict verdict = judge(60, m -> 1000 + 1000 * traffic.applyAsDouble(m) + 15 * m, m -> 30 * traffic.applyAsDouble(m),
                true);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.reason()).contains("above the 500/h bound");

        // In-flight goroutines that swing with latency by a fifth of their level while the load holds steady: past
        // the bound on the way up (up to 780 an hour), but no more than their swing.
        Verdict swing = judge(60, m -> 2000 + 250 * Math.sin(2 * Math.PI * (m - 30) / 120), m -> 30, true);
        assertThat(swing.kind()).as(swing.reason()).isNotEqualTo(VerdictKind.Leaking);
    }

    @Test
    void aLeakOnTopOfARisingLoadIsStillLeaking() {
        // Traffic up by 30% in the second hour, and 1,500 goroutines an hour that are never released.
        DoubleUnaryOperator traffic = m -> m < 60 ? 1 : 1 + 0.3 * (m - 60) / 60;
        Verdict verdict = judge(120, m -> 100 + 1000 * traffic.applyAsDouble(m) + 25 * m, m -> 30 * traffic.applyAsDouble(m),
                true);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
    }

    @Test
    void aPoolFillingUpWhileTheLoadHoldsSteadyIsNotALeak() {
        // 400 threads added towards a pool's size, most of them in the first 20 minutes.
        Verdict verdict = judge(60, m -> 600 + 400 * (1 - Math.exp(-m / 20)), m -> 20, true);
        assertThat(verdict.kind()).as(verdict.reason()).isNotEqualTo(VerdictKind.Leaking);
    }

    @Test
    void theLoadIsTheMeanAllocationRateOverEachBucketAndACounterResetStartsItAgain() {
        PodSeries series = new PodSeries("life", 0, 30_000, 10);
        series.add(0, new Gauges(1, 1, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1000));
        series.add(15_000, new Gauges(1, 1, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 16_000)); // 1,000/s
        series.add(30_000, new Gauges(1, 1, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 76_000)); // 4,000/s
        series.add(45_000, new Gauges(1, 1, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 106_000)); // 2,000/s
        series.add(60_000, new Gauges(1, 1, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 500)); // restarted
        series.add(75_000, new Gauges(1, 1, 1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 30_500)); // 2,000/s
        PodSeries.Window window = new PodSeries.Window();
        series.copyFrom(0, window);
        assertThat(window.length).isEqualTo(3);
        assertThat(window.load[0]).isEqualTo(1000.0);
        assertThat(window.load[1]).as("the bucket's mean: 90,000 bytes in 30 s").isEqualTo(3000.0);
        assertThat(window.load[2]).as("from the restarted counter's first reading, never negative").isEqualTo(2000.0);
    }
}
