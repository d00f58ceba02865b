package io.leakguard.operator.evaluation;

import static io.leakguard.operator.evaluation.GoRuntimeModel.MIB;

import io.leakguard.operator.evaluation.GoRuntimeModel.Kind;

/**
 * One simulated pod: its parameters drawn in a fixed order (memory, traffic, leak, healthy shapes), then
 * its life second by second. The order of the random draws is the corpus: change it and every seed
 * gives other pods.
 */
final class GoPod {
    final GoRuntimeModel model;
    final Kind kind;
    final long duration;
    // Memory and the runtime.
    double limit;
    double gogc;
    double growth;
    double frag;
    double overhead;
    double nativeBase;
    double baseGoroutines;
    double stackBytes;
    double goroutinesPerTraffic;
    double nonHeap;
    double baseLive;
    double extraLiveBytes;
    double allocPerSecond;
    double memLimit;
    double scavengeTau;
    double missProbability;
    // Traffic: how allocation, in-flight goroutines and some leaks follow load.
    double trafficPeriod;
    double trafficAmplitude;
    double trafficPhase;
    // The leak.
    double leakStart;
    double heapPerSecond;
    double goroutinesPerSecond;
    double heapPerGoroutine;
    double leakedStack;
    double nativePerSecond;
    double stepEvery;
    // Healthy shapes.
    double fillTau;
    double boundedTau;
    boolean linearFill;
    double stepAt;
    double batchEvery;
    double batchLength;
    // Roughness (zero in the smooth model).
    double walkSigma;
    double walkTau;
    double inflightJitter;
    double rssNoise;
    double outageProbability;

    GoPod(GoRuntimeModel model, Kind kind, long duration) {
        this.model = model;
        this.kind = kind;
        this.duration = duration;
        drawMemory();
        drawTraffic();
        drawLeak();
        drawShapes();
        if (model.rough) {
            drawRoughness();
        }
    }

    /**
     * Drawn after everything else (the smooth model draws none of these): traffic that wanders
     * (an Ornstein-Uhlenbeck walk on its logarithm, up to 40% over minutes to hours), in-flight
     * goroutines that jitter by up to three times the square root of their number (requests arriving
     * at random), resident memory noisy by up to 1% of the limit, and scrape outages of up to five
     * minutes.
     */
    private void drawRoughness() {
        walkSigma = model.uniform(0.05, 0.4);
        walkTau = model.logUniform(300, 7200);
        inflightJitter = model.uniform(0.5, 3);
        rssNoise = model.uniform(0.001, 0.01);
        outageProbability = model.random.nextDouble() < 0.5 ? model.uniform(1 / 4000.0, 1 / 500.0) : 0;
    }

    private void drawMemory() {
        limit = GoRuntimeModel.LIMITS_MIB[model.random.nextInt(GoRuntimeModel.LIMITS_MIB.length)] * MIB;
        gogc = GoRuntimeModel.GOGC[model.random.nextInt(GoRuntimeModel.GOGC.length)];
        growth = 1 + gogc / 100;
        frag = model.uniform(1.02, 1.2);
        overhead = model.uniform(6, 30) * MIB + 0.02 * limit;
        nativeBase = model.random.nextDouble() < 0.3 ? model.uniform(0.01, 0.08) * limit : 0;
        baseGoroutines = Math.round(model.logUniform(15, 2500));
        stackBytes = model.uniform(2, 8) * 1024;
        goroutinesPerTraffic = baseGoroutines * model.uniform(0.1, 1.5);
        // The healthy resident peak is at most this share of the limit.
        double peakShare = kind == Kind.HighWaterRss ? model.uniform(0.7, 0.85) : model.uniform(0.3, 0.75);
        nonHeap = overhead + nativeBase + (baseGoroutines + 2 * goroutinesPerTraffic) * stackBytes;
        double heapPeakBudget = Math.max(limit * peakShare - nonHeap, 4 * MIB);
        double extraLive = switch (kind) {
            case CacheFill, OneOffStep, BoundedGrowth, DeployWarmup, Batch -> model.uniform(0.1, 0.3);
            case DiurnalTraffic -> model.uniform(0.1, 0.25);
            default -> 0;
        };
        baseLive = heapPeakBudget / (growth * frag) * (1 - extraLive);
        extraLiveBytes = heapPeakBudget / (growth * frag) * extraLive;
        double gcSeconds = model.logUniform(1, 600);
        allocPerSecond = Math.max(baseLive * gogc / 100 / gcSeconds, 64 * 1024);
        memLimit = switch (kind) {
            case GoMemLimitNearLimit, LeakUnderGoMemLimit -> limit * model.uniform(0.8, 0.95);
            default -> model.random.nextDouble() < 0.15 ? limit * model.uniform(0.85, 0.95) : Double.POSITIVE_INFINITY;
        };
        if (kind == Kind.GoMemLimitNearLimit) {
            // Allocation pushes the heap goal to GOMEMLIMIT: the heap sits near it, as the runtime intends.
            baseLive = (memLimit - nonHeap) * model.uniform(0.35, 0.6) / frag;
            allocPerSecond = baseLive * model.uniform(0.05, 2);
            gogc = 400;
            growth = 5;
        }
        scavengeTau = memLimit < Double.POSITIVE_INFINITY ? model.uniform(5, 60) : model.logUniform(60, 1200);
        missProbability = model.random.nextDouble() < 0.3 ? model.uniform(0.005, 0.05) : 0;
    }

    private void drawTraffic() {
        trafficPeriod = switch (kind) {
            case DiurnalTraffic -> 86_400;
            default -> model.logUniform(1800, 86_400);
        };
        trafficAmplitude = switch (kind) {
            case DiurnalTraffic, TrafficFollowingLeak -> model.uniform(0.5, 0.95);
            default -> model.uniform(0, 0.5);
        };
        trafficPhase = model.uniform(0, 2 * Math.PI);
    }

    private void drawLeak() {
        leakStart = switch (kind) {
            case MidStartLeak -> duration * model.uniform(0.2, 0.7);
            case FastLeak -> model.random.nextBoolean() ? 0 : duration * model.uniform(0.1, 0.7);
            default -> kind.leaking ? (model.random.nextDouble() < 0.3 ? duration * model.uniform(0, 0.4) : 0) : Double.NaN;
        };
        double toDeath = switch (kind) {
            case FastLeak -> model.uniform(15 * 60, 45 * 60);
            case SlowLeak -> (duration - leakStart) * model.uniform(0.8, 1.0);
            case MidStartLeak -> (duration - leakStart) * model.uniform(0.3, 0.9);
            case GoroutineOnlyLeak -> Double.POSITIVE_INFINITY;
            default -> (duration - leakStart) * model.uniform(0.2, 0.9);
        };
        double headroom = limit - (baseLive + extraLiveBytes) * growth * frag - nonHeap;
        if (memLimit < Double.POSITIVE_INFINITY) {
            headroom = limit - memLimit * 0.5;
        }
        leakedStack = stackBytes;
        switch (kind) {
            case GoroutineHeapLeak, FastLeak, MidStartLeak, SlowLeak -> {
                heapPerGoroutine = model.logUniform(4 * 1024, 256 * 1024);
                goroutinesPerSecond = headroom / toDeath / (heapPerGoroutine * growth * frag + leakedStack);
            }
            case GoroutineStackLeak -> {
                leakedStack = model.logUniform(16 * 1024, 128 * 1024);
                heapPerGoroutine = model.uniform(0, 2048);
                goroutinesPerSecond = headroom / toDeath / (heapPerGoroutine * growth * frag + leakedStack);
            }
            case GoroutineOnlyLeak -> goroutinesPerSecond = model.logUniform(100, 4000) / 3600.0;
            case HeapLeak, TrafficFollowingLeak, StepLeak -> heapPerSecond = headroom / toDeath / (growth * frag);
            case LeakUnderGoMemLimit -> heapPerSecond = headroom / toDeath / frag;
            case NativeLeak -> nativePerSecond = headroom / toDeath;
            default -> {
            }
        }
        stepEvery = model.logUniform(300, 1800);
    }

    private void drawShapes() {
        fillTau = model.logUniform(120, 3600);
        boundedTau = duration * model.uniform(0.3, 1.0);
        linearFill = model.random.nextBoolean();
        stepAt = duration * model.uniform(0.2, 0.8);
        batchEvery = model.logUniform(900, 3600);
        batchLength = model.uniform(120, 600);
    }
}
