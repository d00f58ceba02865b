package io.leakguard.operator.detection;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

import io.leakguard.operator.series.Gauges;
import io.leakguard.operator.series.PodSeries;
import org.junit.jupiter.api.Test;

/** Hand-built histories for the edges: missing data never leads to Leaking, and the verdict says why. */
class TrendDetectorTest {

    private static final double MIB = 1024 * 1024;
    private static final long MINUTE = 60_000;
    // window 1h, horizon 15m, confidence 0.99, minSamples 20, warm-up 10m, 500 threads/h, no thread cap, 15s
    static final DetectorSettings DEFAULTS = new DetectorSettings(3_600_000, 900_000, 0.99, 20, 600_000, 500,
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
    void aSteadyRisePastNinetyPercentOfTheLimitIsLeakingAnHourAhead() {
        // 967 MiB rising 60 MiB an hour against 1 GiB: past 90% of the limit, the kill is a peak the
        // floor's projection does not see, so a death projected within four horizons counts.
        Verdict verdict = judge(rising(60, 857, 60, 0), 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.projectedOomSeconds()).as(verdict.reason()).isBetween(1800.0, 3600.0);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);

        Verdict lower = judge(rising(60, 233, 60, 0), 60 * MINUTE, 400 * MIB, DEFAULTS);
        assertThat(lower.projectedOomSeconds()).as(lower.reason()).isBetween(1800.0, 3600.0);
        assertThat(lower.kind()).as("the same rise and headroom at 88% of a smaller limit: " + lower.reason())
                .isEqualTo(VerdictKind.Suspect);
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
    void memorySettlingTowardsAPlateauIsProjectedAtItsRecentPaceNotItsWholeRises() {
        // Memory beside an unmoving heap climbs from 100 MiB towards 900 (a runtime's start: code cache,
        // metaspace, arenas), slowing as it goes: 860 MiB at the hour, 115 MiB under a 975 MiB limit. At the
        // whole rise's pace (490 MiB an hour) that is 14 minutes away; at the last third's (180), 38.
        PodSeries series = history(60, m -> 40, m -> 100, m -> 100 + 800 * (1 - Math.exp(-m / 20)), Double.NaN, null);
        Verdict verdict = judge(series, 60 * MINUTE, 975 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Suspect);
        assertThat(verdict.projectedOomSeconds()).as(verdict.reason()).isBetween(1800.0, 3600.0);
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

    /** Samples every 15s from 0 to {@code minutes}: threads, heap and memory (MiB) as functions of minutes. */
    private static PodSeries history(int minutes, java.util.function.DoubleUnaryOperator threads,
            java.util.function.DoubleUnaryOperator heapMib, java.util.function.DoubleUnaryOperator memoryMib,
            double heapMaxMib, java.util.function.DoubleUnaryOperator committedMib) {
        PodSeries series = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        for (long t = 0; t <= minutes * MINUTE; t += 15_000) {
            double m = t / (double) MINUTE;
            double wobble = ((t / 15_000) % 3) * 2 * MIB;
            series.add(t, new Gauges(threads.applyAsDouble(m), heapMib.applyAsDouble(m) * MIB + wobble,
                    memoryMib.applyAsDouble(m) * MIB + wobble, heapMaxMib * MIB,
                    committedMib == null ? Double.NaN : committedMib.applyAsDouble(m) * MIB));
        }
        return series;
    }

    @Test
    void aLiveHeapRisingFasterThanTheMemoryAroundItIsProjectedAtTheHeapsPace() {
        // The live heap gains 600 MiB an hour; resident memory, which held memory the heap grows back into, rises
        // only 60 MiB an hour, and stands at 900 MiB of 1 GiB: the headroom it held is nearly used up, and from
        // here the memory must follow the heap (124 MiB at 600 MiB an hour: within the 15-minute horizon; at
        // the memory's own pace, two hours).
        PodSeries series = history(60, m -> 40, m -> 300 + 10 * m, m -> 840 + m, Double.NaN, null);
        Verdict verdict = judge(series, 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.projectedOomSeconds()).as(verdict.reason()).isLessThan(900);
        assertThat(verdict.reason()).contains("projected OOM kill at the memory limit");
    }

    @Test
    void aHeapRisingSteadilyUnderMemoryThatRisesInStepsIsProjectedAtTheHeapsPace() {
        // The live heap gains 240 MiB an hour; resident memory keeps its high-water mark and jumps by 100 MiB
        // every 20 minutes, then holds: the memory's own fit calls that levelled off, yet it must follow the heap.
        PodSeries series = history(70, m -> 40, m -> 300 + 4 * m, m -> 760 + 100 * Math.min(2, Math.floor(m / 20)),
                Double.NaN, null);
        Verdict verdict = judge(series, 70 * MINUTE, 1000 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.projectedOomSeconds()).isLessThan(900);
        assertThat(verdict.reason()).contains("projected OOM kill at the memory limit");

        // The same heap under memory held flat above it (a high-water mark the heap grows back into) is not.
        PodSeries held = history(70, m -> 40, m -> 300 + 4 * m, m -> 960, Double.NaN, null);
        Verdict heldVerdict = judge(held, 70 * MINUTE, 1000 * MIB, DEFAULTS);
        assertThat(heldVerdict.kind()).as(heldVerdict.reason()).isEqualTo(VerdictKind.Suspect);
    }

    @Test
    void aLeakThatStartsMidWindowIsJudgedFromWhereItStarts() {
        // Flat for 40 minutes, then +30 MiB a minute of 1 GiB: the flat part must not dilute the slope.
        PodSeries series = history(60, m -> 40, m -> 300 + Math.max(0, m - 40) * 30, m -> 360 + Math.max(0, m - 40) * 30,
                Double.NaN, null);
        Verdict verdict = judge(series, 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.memoryBytesPerHour() / MIB).as("the slope after the change point").isBetween(1500.0, 2100.0);
        assertThat(verdict.ceiling()).isEqualTo(Projection.MEMORY_LIMIT);
    }

    @Test
    void memoryGrowingOutsideTheHeapIsProjectedAgainstTheLimit() {
        // A native (or goroutine stack) leak: the heap is flat, the process memory rises 4.5 MiB a minute.
        PodSeries series = history(60, m -> 40, m -> 100, m -> 700 + m * 4.5, Double.NaN, null);
        Verdict verdict = judge(series, 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.reason()).contains("memory floor").contains("projected OOM kill at the memory limit");
    }

    @Test
    void aJvmHeapLeakIsProjectedToItsHeapMaxLongBeforeTheContainerLimit() {
        // Live heap +4 MiB a minute towards a 512 MiB heap max; resident memory flat far below its 2 GiB limit.
        PodSeries series = history(60, m -> 60, m -> 200 + m * 4, m -> 900, 512, m -> 512);
        Verdict verdict = judge(series, 60 * MINUTE, 2048 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.ceiling()).isEqualTo(Projection.HEAP_MAX);
        assertThat(verdict.reason()).contains("OutOfMemoryError");
        assertThat(verdict.projectedOomSeconds() / 60).as("(0.95 * 512 - 440) / 4 minutes").isBetween(0.0, 15.0);
    }

    @Test
    void aJvmCommittingItsHeapIsNotALeak() {
        // Resident memory climbs 8 MiB a minute as the heap is committed towards its max: bounded, not a leak.
        PodSeries series = history(40, m -> 60, m -> 150, m -> 300 + m * 8, 512, m -> 100 + m * 8);
        Verdict verdict = judge(series, 40 * MINUTE, 800 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isNotEqualTo(VerdictKind.Leaking);
    }

    /**
     * A Serial JVM started with -Xms as -Xmx: 600 MiB of heap committed from the start, resident only as it is
     * touched. Its old generation fills with promoted objects at 6 MiB a minute until its first full collection
     * (none within the hour), so the heap in use, and the resident memory with it, climb all hour; beside the
     * heap, 100 MiB and {@code besidePerMinute} more a minute. Sampled with or without the heap-in-use gauge.
     */
    private static PodSeries touchingItsHeap(double besidePerMinute, boolean heapUsedGauge) {
        PodSeries series = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        for (long t = 0; t <= 60 * MINUTE; t += 15_000) {
            double m = t / (double) MINUTE;
            double young = 40 + ((t / 15_000) % 4) * 20; // eden filling between young collections
            double used = young + 60 + 6 * m;
            double touched = 120 + 60 + 6 * m; // all of the young generation, the old as far as it filled
            double memory = 100 + besidePerMinute * m + touched;
            series.add(t, new Gauges(60, 0, memory * MIB, 400 * MIB, 600 * MIB, Double.NaN, Double.NaN, Double.NaN,
                    heapUsedGauge ? used * MIB : Double.NaN));
        }
        return series;
    }

    @Test
    void aHeapCommittedAtStartAndTouchedAsItFillsIsNotALeakWhereTheHeapInUseIsKnown() {
        // 640 of 700 MiB at the hour, rising 6 MiB a minute: 10 minutes from the limit at that pace, yet the heap
        // cannot touch more than the 600 MiB committed. Left out of the floor whole, those 600 MiB made the heap's
        // filling read as memory beside it rising 360 MiB an hour.
        Verdict verdict = TrendDetector.evaluate(touchingItsHeap(0, true), new TrendCache(), new DetectorScratch(),
                60 * MINUTE, new Ceilings(700 * MIB, 400 * MIB, Double.NaN), DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isNotEqualTo(VerdictKind.Leaking);
        Verdict blind = TrendDetector.evaluate(touchingItsHeap(0, false), new TrendCache(), new DetectorScratch(),
                60 * MINUTE, new Ceilings(700 * MIB, 400 * MIB, Double.NaN), DEFAULTS);
        assertThat(blind.kind()).as("without the heap in use: " + blind.reason()).isEqualTo(VerdictKind.Leaking);
    }

    @Test
    void memoryGrowingBesideAHeapCommittedAtStartIsStillALeak() {
        // 880 of 930 MiB at the hour; beside the heap, memory rises 240 MiB an hour: 12 minutes from the limit.
        Verdict verdict = TrendDetector.evaluate(touchingItsHeap(4, true), new TrendCache(), new DetectorScratch(),
                60 * MINUTE, new Ceilings(930 * MIB, 400 * MIB, Double.NaN), DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.ceiling()).isEqualTo(Projection.MEMORY_LIMIT);
    }

    /** A JVM's live-data gauge (heap max 1,000 MiB) at {@code mib(minute)}, 90 minutes held at 300 first. */
    private static Verdict jvmLiveHeap(int minutes, java.util.function.DoubleUnaryOperator mib) {
        PodSeries series = history(minutes, m -> 60, mib, m -> 1400, 1000, m -> 1000);
        return TrendDetector.evaluate(series, new TrendCache(), new DetectorScratch(), minutes * MINUTE,
                new Ceilings(2000 * MIB, 1000 * MIB, Double.NaN), DEFAULTS);
    }

    @Test
    void aJvmLiveHeapFilledAgainToWhereItStoodBeforeIsNotLeaking() {
        // A cache emptied every half hour and filled again at 15 MiB a minute, from 400 to 835 MiB of a 1,000 MiB
        // heap max: 28 minutes into its third fill, at 820 MiB, it is 9 minutes from 95% at that pace, but no
        // higher than it stood at the end of the last fill.
        Verdict verdict = jvmLiveHeap(88, m -> 400 + 15 * (m % 30));
        assertThat(verdict.kind()).as(verdict.reason()).isNotEqualTo(VerdictKind.Leaking);
    }

    @Test
    void aJvmLiveHeapMeasuredHigherByEachOfTheLastCollectionsIsLeakingBeforeItsOutOfMemoryError() {
        // The gauge moves only when an old collection measures it: 300 MiB for an hour and a half, then 500 and
        // 620 five minutes apart, at 62% of the heap max. At that pace the heap max is twelve minutes away.
        Verdict verdict = jvmLiveHeap(97, m -> m < 90 ? 300 : m < 95 ? 500 : 620);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.reason()).contains("live heap measured higher by each of the last collections")
                .contains("of the heap max (OutOfMemoryError) in");
        assertThat(verdict.projectedOomSeconds()).isLessThan(900);
    }

    @Test
    void aJvmLiveHeapLiftedOnceByABatchAndLetGoIsNotLeaking() {
        // Batches lift the live heap by 300 MiB and let it go: the last two measurements rose once, not twice.
        Verdict verdict = jvmLiveHeap(102, m -> m >= 90 && m < 95 || m >= 100 ? 600 : 300);
        assertThat(verdict.kind()).as(verdict.reason()).isNotEqualTo(VerdictKind.Leaking);
        Verdict oneStep = jvmLiveHeap(97, m -> m < 95 ? 300 : 650);
        assertThat(oneStep.kind()).as(oneStep.reason()).isNotEqualTo(VerdictKind.Leaking);
    }

    @Test
    void aJvmLiveHeapOfZeroBeforeItsFirstOldCollectionIsNotAMeasurement() {
        PodSeries series = history(60, m -> 60, m -> m < 30 ? 0 : 300, m -> 700, 512, m -> 512);
        Verdict verdict = judge(series, 60 * MINUTE, 2048 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Healthy);
    }

    @Test
    void aFastLeakIsCaughtBeforeTheWindowHasFilled() {
        // 10 minutes of warm-up, then 8 minutes rising 25 MiB a minute towards 1 GiB: dead within the horizon.
        PodSeries series = history(18, m -> 40, m -> 300 + m * 25, m -> 350 + m * 25, Double.NaN, null);
        Verdict verdict = judge(series, 18 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.projectedOomSeconds()).isLessThan(900);
    }

    @Test
    void goroutinesRisingWithTrafficForLessThanHalfTheWindowAreNotLeaking() {
        // +2000 goroutines an hour, but only for the 20 minutes after the warm-up so far: a traffic upswing looks so.
        PodSeries series = history(30, m -> 500 + m * 33, m -> 100, m -> 200, Double.NaN, null);
        Verdict verdict = judge(series, 30 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Suspect);
        assertThat(verdict.reason()).doesNotContain("bound");
    }

    /** Goroutines swinging with a 2-hour traffic cycle between 2,000 and 3,000, plus a leak of {@code leakPerHour}. */
    private static PodSeries trafficCycle(int minutes, double leakPerHour) {
        return history(minutes, m -> 2500 - 500 * Math.cos(2 * Math.PI * m / 120) + leakPerHour * m / 60, m -> 100,
                m -> 200, Double.NaN, null);
    }

    @Test
    void goroutinesClimbingBackToWhereTrafficTookThemBeforeAreNotLeaking() {
        // The second upswing, nearly at its top: about +1,500 an hour for 50 minutes, but no higher than the first peak.
        Verdict verdict = judge(trafficCycle(170, 0), 170 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Suspect);
        assertThat(verdict.reason()).contains("before the window (a traffic swing, until they pass it by three quarters");
    }

    @Test
    void aRiseTooShortToBoundItsPaceSaysSoInsteadOfMinusInfinity() {
        // Theil-Sen's interval has no lower end over a handful of troughs (a scrape outage leaves few).
        TrendFit memory = new TrendFit(true, 373 * MIB, Double.NEGATIVE_INFINITY, 0.0043, 0, null);
        TrendFit threads = new TrendFit(true, 1433, Double.NEGATIVE_INFINITY, 0.0043, 0, null);
        String reason = VerdictReason.of(VerdictKind.Suspect, memory, TrendFit.NONE, threads,
                new TrendDetector.Deaths(Projection.NONE, Projection.NONE, false, Double.NaN), null,
                new ThreadGrowth(false, false, Double.NaN, Double.NaN, false, 6264, LoadAdjusted.NONE, false, false,
                        ThreadRatchet.NONE), Ceilings.memoryLimit(1024 * MIB), DEFAULTS);
        assertThat(reason).doesNotContain("Infinity")
                .contains("memory floor +373.0 MiB/h (too few troughs yet to bound its pace, p=0.0043)")
                .contains("threads +1433/h (too few troughs yet to bound its pace, p=0.0043)");
    }

    @Test
    void goroutinesPassingTheirEarlierHighByLittleOfTheirRiseAreATrafficSwing() {
        // Traffic that wanders up: the second upswing ends ~120 above the first peak, after a rise of ~970 in the window.
        Verdict verdict = judge(trafficCycle(170, 100), 170 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Suspect);
        assertThat(verdict.reason()).contains("a traffic swing");
    }

    @Test
    void goroutinesLeakingOnTopOfTrafficAreLeakingOnceTheyPassTheirEarlierHigh() {
        // 800 an hour: past the first peak by more than three quarters of the window's rise (the bar without a load).
        Verdict verdict = judge(trafficCycle(170, 800), 170 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.reason()).contains("above the 500/h bound");
    }

    @Test
    void withoutALoadGoroutinesMustPassTheirEarlierHighByThreeQuartersOfTheirRise() {
        // Traffic that wanders up by more than a cycle's swing: the second upswing ends above the first peak by
        // more than half its rise in the window, but less than three quarters of it. Nothing but the goroutines
        // tells traffic from a leak here (no allocation counter): a traffic swing, and the reason says why.
        Verdict verdict = judge(trafficCycle(170, PAST_HALF_NOT_THREE_QUARTERS), 170 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Suspect);
        assertThat(verdict.reason()).contains("until they pass it by three quarters of their rise: no load tells traffic apart");
    }

    /** A leak on {@link #trafficCycle} that ends past the first peak by 0.5 to 0.75 of the window's rise. */
    private static final double PAST_HALF_NOT_THREE_QUARTERS = 600;

    /** Judges {@code minutes} of goroutines rising from {@code from} by {@code perHour} after {@code startMinute}, memory flat. */
    private static Verdict goroutinesRising(int minutes, double from, double perHour, double startMinute) {
        return judge(history(minutes, m -> from + perHour * Math.max(0, m - startMinute) / 60, m -> 100, m -> 200,
                Double.NaN, null), minutes * MINUTE, 1024 * MIB, DEFAULTS);
    }

    @Test
    void inItsFirstHourAServiceOfThousandsSwingingWithTrafficIsNotLeakingButASmallOneGrowingAsFastIs() {
        // +800 an hour for the 40 minutes after the warm-up: a tenth of 3,600 in-flight goroutines, or 8 times 100.
        Verdict large = goroutinesRising(50, 3600, 800, 0);
        assertThat(large.kind()).as(large.reason()).isEqualTo(VerdictKind.Suspect);
        Verdict small = goroutinesRising(50, 100, 800, 0);
        assertThat(small.kind()).as(small.reason()).isEqualTo(VerdictKind.Leaking);
    }

    @Test
    void pastItsFirstHourAServiceOfThousandsRisingWithALongTrafficCycleIsNotLeakingButASmallOneGrowingAsFastIs() {
        // Two hours of history, the last 100 minutes rising 800 an hour: under a quarter of 4,000 goroutines in the
        // window (a traffic cycle longer than the series remembers), but 8 times a pod of 100's bound-breaking pace.
        Verdict large = goroutinesRising(120, 4000, 800, 20);
        assertThat(large.kind()).as(large.reason()).isEqualTo(VerdictKind.Suspect);
        Verdict small = goroutinesRising(120, 100, 800, 20);
        assertThat(small.kind()).as(small.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(small.reason()).contains("above the 500/h bound");
    }

    @Test
    void aGoroutineLeakThatHasGrownLargeStaysLeaking() {
        // +2,000 an hour from 100 for five hours, judged every minute as the operator does (one cache per pod life):
        // by the end an hour adds a fifth of 10,000, under the share a first rise needs, and it is still a leak.
        PodSeries series = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        TrendCache cache = new TrendCache();
        DetectorScratch scratch = new DetectorScratch();
        Verdict verdict = null;
        for (long t = 0; t <= 300 * MINUTE; t += 15_000) {
            double wobble = ((t / 15_000) % 3) * 2 * MIB;
            series.add(t, 100 + 2000.0 * t / (60 * MINUTE), 100 * MIB + wobble, 200 * MIB + wobble);
            if (t % MINUTE == 0) {
                verdict = TrendDetector.evaluate(series, cache, scratch, t, Ceilings.memoryLimit(1024 * MIB), DEFAULTS);
            }
        }
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
    }

    @Test
    void goroutinesThatAreNeverReleasedAreLeakingThoughSlowerThanTheBound() {
        // +200 goroutines an hour from 80, with in-flight ones coming and going on top: the floor never falls back.
        PodSeries series = history(60, m -> 80 + 200.0 * m / 60 + (m * 7) % 5, m -> 100, m -> 200, Double.NaN, null);
        Verdict verdict = judge(series, 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.reason()).contains("more than doubled from").contains("without falling back")
                .doesNotContain("above the 500/h bound");
    }

    @Test
    void aPoolThatFillsUpToItsSizeIsNotLeaking() {
        // A worker pool growing from 50 to its 300 over the first half hour, then full.
        PodSeries series = history(60, m -> 300 - 250 * Math.exp(-m / 12.0), m -> 100, m -> 200, Double.NaN, null);
        Verdict verdict = judge(series, 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isNotEqualTo(VerdictKind.Leaking);
    }

    /**
     * A G1 JVM (heap max 512 MiB, limit 1 GiB, its committed heap at the max) whose live-data gauge stays
     * at 20 MiB because no collection shrinks the old generation, which follows {@code oldGenMib}.
     */
    private static PodSeries g1(java.util.function.LongToDoubleFunction oldGenMib) {
        PodSeries series = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        for (long t = 0; t <= 60 * MINUTE; t += 15_000) {
            series.add(t, new Gauges(50, 20 * MIB, 700 * MIB, 512 * MIB, 512 * MIB, Double.NaN, oldGenMib.applyAsDouble(t) * MIB));
        }
        return series;
    }

    private static Verdict judgeG1(PodSeries series) {
        return TrendDetector.evaluate(series, new TrendCache(), new DetectorScratch(), 60 * MINUTE,
                new Ceilings(1024 * MIB, 512 * MIB, Double.NaN), DEFAULTS);
    }

    @Test
    void aG1OldGenerationThatNoCollectionShrinksIsProjectedToTheHeapMaxThoughTheLiveDataGaugeStandsStill() {
        // 150 MiB rising 300 MiB/h: 450 MiB (88% of the max) after an hour, 36 MiB from 95%: about 7 minutes.
        Verdict verdict = judgeG1(g1(t -> 150 + 300.0 * t / 3_600_000));
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.projectedOomSeconds() / 60).isBetween(5.0, 9.0);
        assertThat(verdict.reason()).contains("G1 old generation 88% of the heap max and not shrunk by any collection for 1h")
                .contains("projected to reach 95% of the heap max (OutOfMemoryError) in 7m");
    }

    @Test
    void aG1OldGenerationThatMixedCollectionsKeepShrinkingIsNotLeakingHoweverHighItsPeaks() {
        // Promotion lifts it from 200 to 440 MiB (86%) in 8 minutes, then mixed collections free it back to 200.
        Verdict sawtooth = judgeG1(g1(t -> 200 + 240.0 * (t % (8 * MINUTE)) / (8 * MINUTE)));
        assertThat(sawtooth.kind()).as(sawtooth.reason()).isNotEqualTo(VerdictKind.Leaking);
        assertThat(sawtooth.reason()).doesNotContain("G1 old generation");
        // Never shrunk, but below the share of the heap at which G1 must have marked it: not yet known live,
        // though past G1's default marking threshold for half an hour it is named.
        Verdict filling = judgeG1(g1(t -> 100 + 250.0 * t / 3_600_000));
        assertThat(filling.kind()).as(filling.reason()).isEqualTo(VerdictKind.Suspect);
        assertThat(filling.reason()).contains("G1 old generation 68% of the heap max and not shrunk by any collection for 1h")
                .doesNotContain("live");
    }

    /** A Go pod under GOMEMLIMIT 900 MiB (limit 1 GiB): its GC holds the peaks there while the floor rises 300 MiB/h from 500. */
    private static PodSeries underSoftLimit(double softLimitMib) {
        PodSeries series = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        for (long t = 0; t <= 60 * MINUTE; t += 15_000) {
            double floor = 500 + 300.0 * t / 3_600_000;
            double memory = (t / 15_000) % 4 == 0 ? floor : 900;
            series.add(t, new Gauges(100, floor * MIB, memory * MIB, Double.NaN, Double.NaN, softLimitMib * MIB));
        }
        return series;
    }

    @Test
    void underGoMemLimitTheFloorIsProjectedNotThePeaksTheGcHolds() {
        Verdict held = judge(underSoftLimit(900), 60 * MINUTE, 1024 * MIB, DEFAULTS);
        // The floor is at 800 MiB, rising 300 MiB/h: 224 MiB to go, about 45 minutes.
        assertThat(held.projectedOomSeconds() / 60).as(held.reason()).isBetween(36.0, 54.0);
        assertThat(held.kind()).isEqualTo(VerdictKind.Suspect);
        Verdict unset = judge(underSoftLimit(Gauges.NO_SOFT_LIMIT * 2 / MIB), 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(unset.projectedOomSeconds()).as("peaks at 900 MiB, carried along the floor's pace")
                .isLessThan(held.projectedOomSeconds() * 0.7);
    }

    /** 55 minutes at 600 MiB, then 5 minutes rising to 880 MiB (limit 1 GiB), under the given GOMEMLIMIT. */
    private static PodSeries risingInTheLastMinutes(double softLimitMib) {
        PodSeries series = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        for (long t = 0; t <= 60 * MINUTE; t += 15_000) {
            double memory = 600 + Math.max(0, t - 55 * MINUTE) / (double) (5 * MINUTE) * 280 + ((t / 15_000) % 3) * 2;
            series.add(t, new Gauges(100, (memory - 100) * MIB, memory * MIB, Double.NaN, Double.NaN, softLimitMib * MIB));
        }
        return series;
    }

    @Test
    void underGoMemLimitMinutesOfRiseBelowTheSoftLimitAreNotALeak() {
        Verdict held = judge(risingInTheLastMinutes(900), 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(held.kind()).as("the GC lets the heap use its budget up to GOMEMLIMIT: %s", held.reason())
                .isNotEqualTo(VerdictKind.Leaking);
        Verdict unset = judge(risingInTheLastMinutes(Gauges.NO_SOFT_LIMIT * 2 / MIB), 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(unset.kind()).as("without a soft limit the fast path acts: %s", unset.reason()).isEqualTo(VerdictKind.Leaking);
    }

    @Test
    void aFlatPodOnceHealthyStaysHealthyAsItsHistoryIsRegroupedIntoFewerTroughs() {
        PodSeries series = history(60, m -> 40 + (m * 7) % 3, m -> 100 + (m * 3) % 2, m -> 200, Double.NaN, null);
        VerdictKind previous = null;
        for (long t = 12 * MINUTE; t <= 60 * MINUTE; t += 15_000) {
            PodSeries upToNow = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
            PodSeries.Window all = new PodSeries.Window();
            series.copyFrom(0, all);
            for (int i = 0; i < all.length && all.time[i] <= t; i++) {
                upToNow.add(all.time[i], all.threads[i], all.heap[i], all.memory[i]);
            }
            VerdictKind kind = judge(upToNow, t, 1024 * MIB, DEFAULTS).kind();
            assertThat(previous == VerdictKind.Healthy && kind == VerdictKind.InsufficientData)
                    .as("Healthy, then InsufficientData at %d s", t / 1000).isFalse();
            previous = kind;
        }
        assertThat(previous).isEqualTo(VerdictKind.Healthy);
    }

    @Test
    void aYoungPodWithoutATrendIsInsufficientDataUntilItHasTwelveTroughsOfHistory() {
        // Five minutes after a 10-minute warm-up: ten 30-second troughs, flat; twelve of a full window's (2 minutes) are 24.
        Verdict young = judge(history(15, m -> 40, m -> 100, m -> 200, Double.NaN, null), 15 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(young.kind()).as(young.reason()).isEqualTo(VerdictKind.InsufficientData);
        assertThat(young.reason()).matches("no significant trend in the (9|10|11) troughs so far; a pod is called Healthy"
                + " after 24m of history");
        Verdict grown = judge(history(60, m -> 40, m -> 100, m -> 200, Double.NaN, null), 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(grown.kind()).as(grown.reason()).isEqualTo(VerdictKind.Healthy);
    }

    /**
     * The end-to-end scenarios' and the demo's leak: a 5-minute window sampled every 2 s, 30 goroutines
     * a second each holding 8 KiB (about 0.35 MiB/s), a 160 MiB limit. Once memory has clearly risen
     * (10 MiB leaked over a 12 MiB start) the pod is never called Healthy, and it is Leaking before the
     * limit is 2 minutes away. (Before the rule that a pod is Healthy only from 12 troughs, it was called
     * Healthy with 16 MiB leaked.)
     */
    @Test
    void aShortWindowsSteadyLeakIsNeverHealthyOnceMemoryHasClearlyRisen() {
        DetectorSettings shortWindow = new DetectorSettings(300_000, 120_000, 0.99, 10, 0, 500,
                Double.POSITIVE_INFINITY, 2_000);
        PodSeries series = new PodSeries("demo", 0, shortWindow.bucketMillis(), DetectorSettings.BUCKETS);
        TrendCache cache = new TrendCache();
        DetectorScratch scratch = new DetectorScratch();
        double limit = 160 * MIB;
        long leakingAt = -1;
        for (long t = 0; t <= 420_000; t += 2_000) {
            double seconds = t / 1000.0;
            double leaked = 0.35 * MIB * seconds;
            double garbage = ((t / 2_000) % 5) * 2 * MIB;
            series.add(t, 10 + 30 * seconds, 4 * MIB + leaked * 0.3 + garbage, 12 * MIB + leaked + garbage);
            Verdict verdict = TrendDetector.evaluate(series, cache, scratch, t, Ceilings.memoryLimit(limit), shortWindow);
            if (leaked > 10 * MIB) {
                assertThat(verdict.kind()).as("at %d s, %.0f MiB leaked: %s", t / 1000, leaked / MIB, verdict.reason())
                        .isNotEqualTo(VerdictKind.Healthy);
            }
            if (leakingAt < 0 && verdict.kind() == VerdictKind.Leaking) {
                leakingAt = t;
            }
        }
        double killedAt = (limit - 12 * MIB - 8 * MIB) / (0.35 * MIB);
        assertThat(leakingAt / 1000.0).as("Leaking, in seconds, against the kill at %.0f s", killedAt)
                .isPositive().isLessThan(killedAt - 120);
    }

    @Test
    void minutesOfNoiseNearTheLimitAreNotProjectedAtTheirSteepestButALeakStillIs() {
        // Flat at 700 MiB of 1 GiB for 50 minutes, then 10 minutes of scrapes scattered over 150 MiB with a slight
        // drift: a steep slope on a handful of troughs, but one whose lower confidence bound is no rise.
        java.util.Random noise = new java.util.Random(3);
        double[] jitter = new double[241];
        for (int k = 0; k < jitter.length; k++) {
            jitter[k] = noise.nextDouble() * 150;
        }
        PodSeries noisy = history(60, m -> 40, m -> 300,
                m -> 700 + (m < 50 ? 0 : jitter[(int) (m * 4)] + 3 * (m - 50)), Double.NaN, null);
        Verdict scattered = judge(noisy, 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(scattered.kind()).as(scattered.reason()).isNotEqualTo(VerdictKind.Leaking);
        PodSeries leak = history(60, m -> 40, m -> 300, m -> 700 + (m < 50 ? 0 : 20 * (m - 50)), Double.NaN, null);
        Verdict leaking = judge(leak, 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(leaking.kind()).as(leaking.reason()).isEqualTo(VerdictKind.Leaking);
    }

    /** An hour under GOMEMLIMIT 900 MiB (limit 1 GiB): the memory floor rising 600 to 880 MiB, the heap as given. */
    private static PodSeries floorRisingBelowTheSoftLimit(java.util.function.DoubleUnaryOperator heapMib) {
        PodSeries series = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        for (long t = 0; t <= 60 * MINUTE; t += 15_000) {
            double m = t / (double) MINUTE;
            double floor = 600 + 280 * m / 60;
            double memory = (t / 15_000) % 4 == 0 ? floor : 895;
            series.add(t, new Gauges(100, heapMib.applyAsDouble(m) * MIB, memory * MIB, Double.NaN, Double.NaN,
                    900 * MIB));
        }
        return series;
    }

    @Test
    void underGoMemLimitAFloorRisingBelowTheSoftLimitWhileTheLiveHeapStandsStillIsNotALeak() {
        DetectorSettings hourHorizon = new DetectorSettings(3_600_000, 3_600_000, 0.99, 20, 600_000, 500,
                Double.POSITIVE_INFINITY, 15_000);
        Verdict still = judge(floorRisingBelowTheSoftLimit(m -> 400 + ((int) (m * 4) % 3) * 2), 60 * MINUTE,
                1024 * MIB, hourHorizon);
        assertThat(still.kind()).as("the GC using its budget: %s", still.reason()).isNotEqualTo(VerdictKind.Leaking);
        Verdict rising = judge(floorRisingBelowTheSoftLimit(m -> 400 + 4 * m), 60 * MINUTE, 1024 * MIB, hourHorizon);
        assertThat(rising.kind()).as("the live heap carries the floor: %s", rising.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(rising.reason()).contains("memory limit");
    }

    @Test
    void inItsFirstHourAServiceWhoseTrafficLiftsItsGoroutinesByHalfIsNotLeaking() {
        // 2,000 in-flight goroutines rising by 1,200 (60%) over the 40 minutes after the warm-up: wandering traffic.
        Verdict swing = goroutinesRising(50, 2000, 1800, 10);
        assertThat(swing.kind()).as(swing.reason()).isEqualTo(VerdictKind.Suspect);
        // The same pace on 1,000 goroutines more than doubles them: a leak.
        Verdict leak = goroutinesRising(50, 1000, 1800, 10);
        assertThat(leak.kind()).as(leak.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(leak.reason()).contains("above the 500/h bound");
    }

    @Test
    void pastItsFirstHourGoroutinesRisingByAThirdOfTheirLevelAreNotLeakingButByHalfAre() {
        // An hour flat at 3,000 goroutines, then an hour rising: by 1,000 (a third, as wandering traffic lifts
        // in-flight goroutines) or by 1,500 (half), both well above the 500/h bound.
        Verdict third = goroutinesRising(120, 3000, 1000, 60);
        assertThat(third.kind()).as(third.reason()).isEqualTo(VerdictKind.Suspect);
        Verdict half = goroutinesRising(120, 3000, 1500, 60);
        assertThat(half.kind()).as(half.reason()).isEqualTo(VerdictKind.Leaking);
    }

    /** Bursts every 20 minutes from 450 MiB to {@code topMib} and back, the last one 5 minutes old (limit 1 GiB). */
    private static PodSeries bursts(double lastTopMib) {
        return history(65, m -> 40, m -> 300, m -> {
            double since = m % 20;
            double top = m >= 60 ? lastTopMib : 870;
            return since < 10 ? 450 + (top - 450) * Math.min(1, since / 5) : 450;
        }, Double.NaN, null);
    }

    @Test
    void aBurstBackToWhereThePodsOwnBurstsWentIsNotLeakingButOneFarPastThemIs() {
        Verdict again = judge(bursts(860), 65 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(again.kind()).as(again.reason()).isNotEqualTo(VerdictKind.Leaking);
        Verdict past = judge(bursts(1000), 65 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(past.kind()).as(past.reason()).isEqualTo(VerdictKind.Leaking);
    }

    /**
     * Resident memory at 450 MiB that jumps to {@code earlierMib} at minute {@code surgeMinute} (a traffic surge,
     * the heap's high-water mark) and is given back, then climbs steeply again over the last 7 minutes of
     * {@code minutes}, still climbing at the end, where it reaches {@code climbMib} (limit 1 GiB).
     */
    private static PodSeries surgeThenClimb(int minutes, int surgeMinute, double earlierMib, double climbMib) {
        int climbFrom = minutes - 7;
        return history(minutes, m -> 40, m -> 300, m -> {
            if (m >= climbFrom) {
                return 450 + (climbMib - 450) * (m - climbFrom) / 7;
            }
            return m < surgeMinute ? 450 : 450 + (earlierMib - 450) * Math.exp(-(m - surgeMinute) / 6);
        }, Double.NaN, null);
    }

    /** {@link #surgeThenClimb}: the surge at minute 25, inside the window at minute 65. */
    private static PodSeries highWaterAgain(double earlierMib, double climbMib) {
        return surgeThenClimb(65, 25, earlierMib, climbMib);
    }

    @Test
    void memoryClimbingFastBackToAHighItAlreadyHeldInTheWindowIsNotLeakingButClimbingPastItIs() {
        Verdict again = judge(highWaterAgain(900, 880), 65 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(again.kind()).as("the pod held 900 MiB half an hour ago and lived: %s", again.reason())
                .isNotEqualTo(VerdictKind.Leaking);
        Verdict past = judge(highWaterAgain(750, 880), 65 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(past.kind()).as("past every earlier peak, at a pace that reaches the limit in minutes: %s",
                past.reason()).isEqualTo(VerdictKind.Leaking);
    }

    @Test
    void aG1OldGenerationSeventyPercentFullThatNoCollectionShrankForAQuarterHourIsLiveAndHeadsForTheHeapMax() {
        PodSeries.Window w = new PodSeries.Window();
        w.oldGenLatest = 0.72 * 256 * MIB;
        w.oldGenRunMillis = 16 * MINUTE;
        w.oldGenPacePerHour = 300 * MIB;
        Projection kept = Projection.keptOldGen(w, 256 * MIB);
        assertThat(kept.ceiling()).isEqualTo(Projection.OLD_GEN_KEPT);
        // 95% of 256 MiB less 72% of it, at 300 MiB an hour: 11.8 minutes.
        assertThat(kept.etaSeconds() / 60).isBetween(11.0, 12.5);

        w.oldGenRunMillis = 12 * MINUTE;
        assertThat(Projection.keptOldGen(w, 256 * MIB)).as("marking may yet be followed by mixed collections")
                .isEqualTo(Projection.NONE);
        w.oldGenLatest = 0.82 * 256 * MIB;
        assertThat(Projection.keptOldGen(w, 256 * MIB).ceiling()).as("past 80%, ten minutes are enough")
                .isEqualTo(Projection.OLD_GEN_KEPT);
        w.oldGenLatest = 0.6 * 256 * MIB;
        w.oldGenRunMillis = 40 * MINUTE;
        assertThat(Projection.keptOldGen(w, 256 * MIB)).as("below 70%, an adaptive threshold may still start marking")
                .isEqualTo(Projection.NONE);
    }

    @Test
    void aJvmWhoseHeapMaxDoesNotFitInItsLimitIsProjectedToTheKernelsKillAsItsHeapCommits() {
        // A live-data gauge that never moves (G1 has not needed to collect the old generation) and 110 MiB beside a
        // heap that commits 240 MiB an hour: 330 MiB of a 384 MiB limit by minute 45. With a 320 MiB heap max, the
        // heap will be committed past the limit (110 + 320 > 384), about 13 minutes from now.
        java.util.function.DoubleUnaryOperator committed = m -> 40 + 4 * m;
        PodSeries unfit = history(45, m -> 72, m -> 14, m -> 110 + committed.applyAsDouble(m), 320, committed);
        Verdict verdict = judge(unfit, 45 * MINUTE, 384 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.reason()).contains("heap max (320 MiB)").contains("do not fit in the limit (384 MiB)")
                .contains("projected OOM kill at the memory limit");
        assertThat(verdict.projectedOomSeconds() / 60).as(verdict.reason()).isBetween(9.0, 16.0);
        // With a 256 MiB heap max the same commits stop at the max, 366 MiB in all: bounded, not a death.
        PodSeries fits = history(45, m -> 72, m -> 14, m -> 110 + committed.applyAsDouble(m), 256, committed);
        Verdict bounded = judge(fits, 45 * MINUTE, 384 * MIB, DEFAULTS);
        assertThat(bounded.kind()).as(bounded.reason()).isNotEqualTo(VerdictKind.Leaking);
    }

    /**
     * {@link #surgeThenClimb} over 130 minutes, the surge at {@code surgeMinute}: it has left the one-hour window,
     * but not the pod's history.
     */
    private static PodSeries surgeAgain(int surgeMinute, double earlierMib, double climbMib) {
        return surgeThenClimb(130, surgeMinute, earlierMib, climbMib);
    }

    @Test
    void memoryClimbingFastBackToAHighItHeldBeforeTheWindowIsNotLeakingButClimbingPastItIs() {
        Verdict again = judge(surgeAgain(30, 900, 880), 130 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(again.kind()).as("the pod held 900 MiB an hour and a half ago and lived: %s", again.reason())
                .isNotEqualTo(VerdictKind.Leaking);
        Verdict past = judge(surgeAgain(30, 750, 880), 130 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(past.kind()).as("past every earlier peak, at a pace that reaches the limit in minutes: %s",
                past.reason()).isEqualTo(VerdictKind.Leaking);
        // A surge just before the window, in the half-window of history still being gathered, counts as well.
        Verdict recent = judge(surgeAgain(63, 900, 880), 130 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(recent.kind()).as("the pod held 900 MiB an hour ago and lived: %s", recent.reason())
                .isNotEqualTo(VerdictKind.Leaking);
    }

    /**
     * Under GOMEMLIMIT 900 MiB (limit 1 GiB), a healthy pod whose live heap stands still at 400 MiB and whose
     * peaks sit at the soft limit, while its floors (what the scavenger has not yet given back) climb from 500
     * to 895 MiB over the last half hour; or, with {@code liveAboveSoft}, a pod whose live heap, and so its
     * floors, have risen past the soft limit.
     */
    private static PodSeries atTheSoftLimit(boolean liveAboveSoft) {
        PodSeries series = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        SplittableRandom random = new SplittableRandom(3);
        for (long t = 0; t <= 60 * MINUTE; t += 15_000) {
            double m = t / (double) MINUTE;
            double floor = liveAboveSoft ? 710 + 250 * m / 60 : 500 + 395 * Math.max(0, m - 30) / 30 + 5 * random.nextGaussian();
            double heap = liveAboveSoft ? floor - 60 : 400 + ((t / 15_000) % 3) * 2;
            double memory = (t / 15_000) % 4 == 0 ? floor : Math.max(floor, 900 + 4 * random.nextGaussian());
            series.add(t, new Gauges(100, heap * MIB, memory * MIB, Double.NaN, Double.NaN, 900 * MIB));
        }
        return series;
    }

    @Test
    void underGoMemLimitFloorsCarriedPastTheSoftLimitByANoisyTrendAreNotLeakingButFloorsStandingAboveItAre() {
        Verdict held = judge(atTheSoftLimit(false), 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(held.kind()).as("the GC holds the pod at GOMEMLIMIT, as it is meant to: %s", held.reason())
                .isNotEqualTo(VerdictKind.Leaking);
        Verdict past = judge(atTheSoftLimit(true), 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(past.kind()).as("floors at 960 MiB: the GC can no longer hold what is live: %s", past.reason())
                .isEqualTo(VerdictKind.Leaking);
    }

    @Test
    void underGoMemLimitALiveHeapClimbingTowardsTheSoftLimitIsProjectedAtItsPaceWhileTheMemoryStandsStill() {
        // GOMEMLIMIT 950 MiB of 1 GiB: the GC holds the memory at the soft limit (floors 930, peaks 950) while the
        // live heap climbs 600 MiB an hour, to 900 MiB by now. Past the soft limit the GC cannot hold it, and the
        // memory follows it to the limit: 124 MiB at 600 MiB an hour, about 12 minutes.
        PodSeries climbing = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        PodSeries steady = new PodSeries("life", 0, DEFAULTS.bucketMillis(), DetectorSettings.BUCKETS);
        for (long t = 0; t <= 60 * MINUTE; t += 15_000) {
            double m = t / (double) MINUTE;
            double memory = (t / 15_000) % 4 == 0 ? 930 : 950;
            double sawtooth = ((t / 15_000) % 3) * 2;
            climbing.add(t, new Gauges(40, (300 + 10 * m + sawtooth) * MIB, memory * MIB, Double.NaN, Double.NaN, 950 * MIB));
            steady.add(t, new Gauges(40, (600 + sawtooth) * MIB, memory * MIB, Double.NaN, Double.NaN, 950 * MIB));
        }
        Verdict verdict = judge(climbing, 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(verdict.kind()).as(verdict.reason()).isEqualTo(VerdictKind.Leaking);
        assertThat(verdict.projectedOomSeconds() / 60).as(verdict.reason()).isBetween(9.0, 15.0);
        Verdict held = judge(steady, 60 * MINUTE, 1024 * MIB, DEFAULTS);
        assertThat(held.kind()).as("a live heap that holds still under the soft limit: %s", held.reason())
                .isNotEqualTo(VerdictKind.Leaking);
    }
}
