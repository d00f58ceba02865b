package io.leakguard.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import io.leakguard.operator.series.Gauges;
import io.leakguard.operator.series.PodSeries;
import org.junit.jupiter.api.Test;

/**
 * Goroutines judged over hours, beyond one window: floors that are never given back, half-window after
 * half-window, are a leak however slowly they rise against traffic's swings, unless the load rose enough
 * to carry them.
 */
class ThreadsOverHoursTest {

    private static final double MIB = 1024 * 1024;
    private static final long MINUTE = 60_000;
    /** Window 1h, horizon 15m, warm-up 10m, 500 goroutines/h, 15s: the example policy's. */
    private static final DetectorSettings SETTINGS = TrendDetectorTest.DEFAULTS;

    /**
     * A Go pod sampled every 15 s for {@code minutes}: its goroutines (plus noise of 30 from scrape to scrape)
     * and its load (MiB allocated a second, 10% noise) as functions of the minute; a flat heap far below the
     * limit. Returns the verdict after each hour, the first at one hour.
     */
    private static Verdict[] hourly(int minutes, DoubleUnaryOperator goroutines, DoubleUnaryOperator loadMib) {
        PodSeries series = new PodSeries("life", 0, SETTINGS.bucketMillis(), DetectorSettings.BUCKETS);
        TrendCache cache = new TrendCache();
        DetectorScratch scratch = new DetectorScratch();
        SplittableRandom noise = new SplittableRandom(11);
        Verdict[] verdicts = new Verdict[minutes / 60];
        double allocated = 0;
        for (long t = 0; t <= minutes * MINUTE; t += 15_000) {
            double m = t / (double) MINUTE;
            allocated += loadMib.applyAsDouble(m) * MIB * 15 * (1 + 0.1 * noise.nextGaussian());
            double heap = 100 * MIB + ((t / 15_000) % 4) * 8 * MIB;
            long threads = Math.round(goroutines.applyAsDouble(m) + 30 * noise.nextGaussian());
            series.add(t, new Gauges(threads, heap, heap + 60 * MIB, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    allocated));
            if (t > 0 && t % (60 * MINUTE) == 0) {
                verdicts[(int) (t / (60 * MINUTE)) - 1] = TrendDetector.evaluate(series, cache, scratch, t,
                        Ceilings.memoryLimit(4096 * MIB), SETTINGS);
            }
        }
        return verdicts;
    }

    /** Bursty traffic: it swings by 15% around its level every 10 minutes, as a share of it. */
    private static double swing(double m) {
        return 1 + 0.15 * Math.sin(2 * Math.PI * m / 10);
    }

    @Test
    void aSlowLeakOnALargePodIsLeakingOnceItsFloorsHaveRisenForHours() {
        // 1,500 goroutines that swing by 300 with the traffic, plus 150 an hour never released: within
        // any one hour the rise is a tenth of the level and a fraction of the swing.
        Verdict[] verdicts = hourly(360, m -> 1500 * swing(m) + 150 * m / 60, m -> 20 * swing(m));
        assertThat(verdicts[0].kind()).as("one hour in, the leak is within the traffic's swing: " + verdicts[0].reason())
                .isNotEqualTo(VerdictKind.Leaking);
        Verdict last = verdicts[verdicts.length - 1];
        assertThat(last.kind()).as(last.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(last.reason()).contains("floor higher in each of the last").contains("never released");
    }

    @Test
    void goroutinesThatFollowALoadRisingForHoursAreTraffic() {
        // The load doubles over six hours and the in-flight goroutines with it: floors rise in every
        // half-window, and the load carries every one of them.
        DoubleUnaryOperator traffic = m -> swing(m) * (1 + m / 360);
        Verdict[] verdicts = hourly(360, m -> 100 + 1500 * traffic.applyAsDouble(m), m -> 20 * traffic.applyAsDouble(m));
        for (Verdict verdict : verdicts) {
            assertThat(verdict.kind()).as(verdict.reason()).isNotEqualTo(VerdictKind.Leaking);
        }
    }

    @Test
    void floorsThatFallBackWithinTheHoursAreNotALeak() {
        // The goroutines' floor climbs by 150 an hour for two hours, gives most of it back in the third,
        // and climbs again, while the load holds: a slow cycle (a cache of connections, say), not a leak.
        DoubleUnaryOperator cycle = m -> {
            double phase = m % 180;
            return phase < 120 ? 150 * phase / 60 : 300 - 250 * (phase - 120) / 60;
        };
        Verdict[] verdicts = hourly(360, m -> 1500 * swing(m) + cycle.applyAsDouble(m), m -> 20 * swing(m));
        for (Verdict verdict : verdicts) {
            assertThat(verdict.kind()).as(verdict.reason()).isNotEqualTo(VerdictKind.Leaking);
        }
    }
}
