package io.leakguard.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.leakguard.operator.series.PodSeries;
import org.junit.jupiter.api.Test;

/** Hand-built histories for the edges: missing data never leads to Leaking, and the verdict says why. */
class TrendDetectorTest {

    private static final double MIB = 1024 * 1024;
    private static final long MINUTE = 60_000;
    // window 1h, horizon 15m, confidence 0.99, minSamples 20, warm-up 10m, 500 threads/h, no thread cap, 15s
    private static final DetectorSettings DEFAULTS = new DetectorSettings(3_600_000, 900_000, 0.99, 20, 600_000, 500,
            Double.POSITIVE_INFINITY, 15_000);

    private static Verdict judge(PodSeries series, long now, double limit, DetectorSettings settings) {
        return TrendDetector.evaluate(series, new TrendCache(), new DetectorScratch(), now, Ceilings.memoryLimit(limit),
                settings);
    }

    /** A pod sampled every 15s for {@code minutes}, heap rising {@code mibPerHour}, memory = heap + 50 MiB. */
    private static PodSeries rising(int minutes, double startMib, double mibPerHour, double threadsPerHour) {
        PodSeries series = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        for (long t = 0; t <= minutes * MINUTE; t += 15_000) {
            double hours = t / 3_600_000.0;
            double heap = (startMib + mibPerHour * hours) * MIB + ((t / 15_000) % 3) * 4 * MIB;
            series.add(t, 40 + threadsPerHour * hours, heap, heap + 50 * MIB);
        }
        return series;
    }

    @Test
    void aFreshPodIsInsufficientDataUntilItHasHistory() {
        DetectorSettings fewSamples = new DetectorSettings(3_600_000, 900_000, 0.99, 5, 600_000, 500,
                Double.POSITIVE_INFINITY, 15_000);
        Verdict verdict = judge(rising(12, 100, 2000, 0), 12 * MINUTE, 1024 * MIB, fewSamples);
        assertThat(verdict.kind()).isEqualTo(VerdictKind.InsufficientData);
        assertThat(verdict.reason()).contains("history after the warm-up");
    }

    @Test
    void aPodThatStoppedAnsweringIsInsufficientDataEvenWhileItsTrendIsSteep() {
        PodSeries series = rising(60, 500, 900, 0);
        Verdict verdict = judge(series, 62 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).isEqualTo(VerdictKind.InsufficientData);
        assertThat(verdict.reason()).contains("no sample for 120s");
    }

    @Test
    void aSteepRiseNearTheLimitIsLeakingWithItsProjection() {
        Verdict verdict = judge(rising(60, 300, 600, 0), 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.heapBytesPerHour() / MIB).isBetween(560.0, 640.0);
        assertThat(verdict.projectedOomSeconds()).isLessThan(900);
        assertThat(verdict.reason()).contains("projected OOM kill at the memory limit in");
    }

    @Test
    void aSlowRiseFarFromTheLimitIsOnlySuspect() {
        Verdict verdict = judge(rising(60, 100, 60, 0), 60 * MINUTE, 4096 * MIB, DEFAULTS);
        assertThat(verdict.kind()).isEqualTo(VerdictKind.Suspect);
        assertThat(verdict.projectedOomSeconds()).isGreaterThan(3600);
    }

    @Test
    void withoutAMemoryLimitAHeapRiseIsSuspectAndSaysWhy() {
        Verdict verdict = judge(rising(60, 300, 600, 0), 60 * MINUTE, Double.NaN, DEFAULTS);
        assertThat(verdict.kind()).isEqualTo(VerdictKind.Suspect);
        assertThat(verdict.reason()).contains("no memory limit to project against");
    }

    @Test
    void goroutinesGrowingPastTheirBoundAreLeakingWhateverTheMemory() {
        Verdict verdict = judge(rising(60, 100, 0, 2000), 60 * MINUTE, 4096 * MIB, DEFAULTS);
        assertThat(verdict.kind()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.threadsPerHour()).isBetween(1900.0, 2100.0);
        assertThat(verdict.reason()).contains("above the 500/h bound");
    }

    @Test
    void aOneOffStepIsNotATrend() {
        PodSeries series = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        for (long t = 0; t <= 60 * MINUTE; t += 15_000) {
            double heap = (t < 40 * MINUTE ? 300 : 700) * MIB + ((t / 15_000) % 3) * 4 * MIB;
            series.add(t, 40, heap, heap + 50 * MIB);
        }
        Verdict verdict = judge(series, 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Healthy);
        assertThat(verdict.reason()).contains("one-off");
    }

    @Test
    void aWarmUpThatLevelledOffIsNotATrend() {
        PodSeries series = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        for (long t = 0; t <= 60 * MINUTE; t += 15_000) {
            double heap = (300 + 300 * (1 - Math.exp(-t / (8.0 * MINUTE)))) * MIB + ((t / 15_000) % 3) * 4 * MIB;
            series.add(t, 40, heap, heap + 50 * MIB);
        }
        Verdict verdict = judge(series, 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).isEqualTo(VerdictKind.Healthy);
        assertThat(verdict.reason()).contains("levelled off");
    }

    @Test
    void theShortestWindowTheSchemaAllowsStillReachesAVerdict() {
        // window 5m, horizon 15m, interval 5s, no warm-up: the troughs shrink with the window.
        DetectorSettings shortWindow = new DetectorSettings(300_000, 900_000, 0.99, 20, 0, 500,
                Double.POSITIVE_INFINITY, 5_000);
        PodSeries series = new PodSeries("life", 0, shortWindow.bucketMillis(), DetectorSettings.BUCKETS);
        for (long t = 0; t <= 6 * MINUTE; t += 5_000) {
            double heap = (700 + 1200 * t / 3_600_000.0) * MIB + ((t / 5_000) % 3) * 2 * MIB;
            series.add(t, 40, heap, heap + 50 * MIB);
        }
        Verdict verdict = judge(series, 6 * MINUTE, 1024 * MIB, shortWindow);
        assertThat(verdict.kind()).isEqualTo(VerdictKind.Leaking);
    }
}
