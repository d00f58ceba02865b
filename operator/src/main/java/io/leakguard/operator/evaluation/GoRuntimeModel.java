package io.leakguard.operator.evaluation;

import java.util.Arrays;

/**
 * A second, independent model of a Go service, written to test the detector on histories it was not
 * tuned on. Unlike {@link TraceGenerator} it models the runtime rather than the gauges: the GC runs
 * when the heap reaches its goal ({@code live * (1 + GOGC/100)}, or less under GOMEMLIMIT), the
 * resident memory keeps the heap's high-water mark and gives it back slowly (the scavenger), stacks
 * and off-heap memory count towards the kernel's limit but not towards {@code heap_inuse}, a GC is
 * forced after two minutes without one (as the runtime's sysmon does), traffic
 * drives allocation and goroutines, and scrapes are sometimes missed. Every parameter is drawn from a
 * wide range per pod. The pod is OOM-killed the first second its resident memory reaches the limit.
 */
public final class GoRuntimeModel extends RuntimeModel<GoRuntimeModel.Kind> {

    static final double MIB = 1024.0 * 1024.0;
    private static final double[] LIMITS_MIB = {128, 192, 256, 384, 512, 768, 1024, 1536, 2048};
    private static final double[] GOGC = {50, 75, 100, 100, 100, 150, 200};

    /** The kinds of pod history: healthy ones first, then leaks. */
    public enum Kind {
        Steady(false), GoMemLimitNearLimit(false), CacheFill(false), Batch(false), BurstyTraffic(false),
        DiurnalTraffic(false), OneOffStep(false), DeployWarmup(false), BoundedGrowth(false), HighWaterRss(false),
        GoroutineHeapLeak(true), GoroutineStackLeak(true), GoroutineOnlyLeak(true), HeapLeak(true),
        TrafficFollowingLeak(true), MidStartLeak(true), FastLeak(true), NativeLeak(true), StepLeak(true),
        LeakUnderGoMemLimit(true), SlowLeak(true);

        final boolean leaking;

        Kind(boolean leaking) {
            this.leaking = leaking;
        }
    }

    public GoRuntimeModel(long seed) {
        super(seed, Kind.class, "go-");
    }

    @Override
    boolean leaking(Kind kind) {
        return kind.leaking;
    }

    @Override
    Trace simulate(Kind kind, String name, long interval, long duration) {
        double limit = LIMITS_MIB[random.nextInt(LIMITS_MIB.length)] * MIB;
        double gogc = GOGC[random.nextInt(GOGC.length)];
        double growth = 1 + gogc / 100;
        double frag = uniform(1.02, 1.2);
        double overhead = uniform(6, 30) * MIB + 0.02 * limit;
        double nativeBase = random.nextDouble() < 0.3 ? uniform(0.01, 0.08) * limit : 0;
        double baseGoroutines = Math.round(logUniform(15, 2500));
        double stackBytes = uniform(2, 8) * 1024;
        double goroutinesPerTraffic = baseGoroutines * uniform(0.1, 1.5);
        // The healthy resident peak is at most this share of the limit.
        double peakShare = kind == Kind.HighWaterRss ? uniform(0.7, 0.85) : uniform(0.3, 0.75);
        double nonHeap = overhead + nativeBase + (baseGoroutines + 2 * goroutinesPerTraffic) * stackBytes;
        double heapPeakBudget = Math.max(limit * peakShare - nonHeap, 4 * MIB);
        double extraLive = switch (kind) {
            case CacheFill, OneOffStep, BoundedGrowth, DeployWarmup, Batch -> uniform(0.1, 0.3);
            case DiurnalTraffic -> uniform(0.1, 0.25);
            default -> 0;
        };
        double baseLive = heapPeakBudget / (growth * frag) * (1 - extraLive);
        double extraLiveBytes = heapPeakBudget / (growth * frag) * extraLive;
        double gcSeconds = logUniform(1, 600);
        double allocPerSecond = Math.max(baseLive * gogc / 100 / gcSeconds, 64 * 1024);
        double memLimit = switch (kind) {
            case GoMemLimitNearLimit, LeakUnderGoMemLimit -> limit * uniform(0.8, 0.95);
            default -> random.nextDouble() < 0.15 ? limit * uniform(0.85, 0.95) : Double.POSITIVE_INFINITY;
        };
        if (kind == Kind.GoMemLimitNearLimit) {
            // Allocation pushes the heap goal to GOMEMLIMIT: the heap sits near it, as the runtime intends.
            baseLive = (memLimit - nonHeap) * uniform(0.35, 0.6) / frag;
            allocPerSecond = baseLive * uniform(0.05, 2);
            gogc = 400;
            growth = 5;
        }
        double scavengeTau = memLimit < Double.POSITIVE_INFINITY ? uniform(5, 60) : logUniform(60, 1200);
        double missProbability = random.nextDouble() < 0.3 ? uniform(0.005, 0.05) : 0;

        // Traffic: how allocation, in-flight goroutines and some leaks follow load.
        double trafficPeriod = switch (kind) {
            case DiurnalTraffic -> 86_400;
            default -> logUniform(1800, 86_400);
        };
        double trafficAmplitude = switch (kind) {
            case DiurnalTraffic, TrafficFollowingLeak -> uniform(0.5, 0.95);
            default -> uniform(0, 0.5);
        };
        double trafficPhase = uniform(0, 2 * Math.PI);

        // The leak.
        double leakStart = switch (kind) {
            case MidStartLeak -> duration * uniform(0.2, 0.7);
            case FastLeak -> random.nextBoolean() ? 0 : duration * uniform(0.1, 0.7);
            default -> kind.leaking ? (random.nextDouble() < 0.3 ? duration * uniform(0, 0.4) : 0) : Double.NaN;
        };
        double toDeath = switch (kind) {
            case FastLeak -> uniform(15 * 60, 45 * 60);
            case SlowLeak -> (duration - leakStart) * uniform(0.8, 1.0);
            case MidStartLeak -> (duration - leakStart) * uniform(0.3, 0.9);
            case GoroutineOnlyLeak -> Double.POSITIVE_INFINITY;
            default -> (duration - leakStart) * uniform(0.2, 0.9);
        };
        double headroom = limit - (baseLive + extraLiveBytes) * growth * frag - nonHeap;
        if (memLimit < Double.POSITIVE_INFINITY) {
            headroom = limit - memLimit * 0.5;
        }
        double heapPerSecond = 0;
        double goroutinesPerSecond = 0;
        double heapPerGoroutine = 0;
        double leakedStack = stackBytes;
        double nativePerSecond = 0;
        switch (kind) {
            case GoroutineHeapLeak, FastLeak, MidStartLeak, SlowLeak -> {
                heapPerGoroutine = logUniform(4 * 1024, 256 * 1024);
                goroutinesPerSecond = headroom / toDeath / (heapPerGoroutine * growth * frag + leakedStack);
            }
            case GoroutineStackLeak -> {
                leakedStack = logUniform(16 * 1024, 128 * 1024);
                heapPerGoroutine = uniform(0, 2048);
                goroutinesPerSecond = headroom / toDeath / (heapPerGoroutine * growth * frag + leakedStack);
            }
            case GoroutineOnlyLeak -> goroutinesPerSecond = logUniform(100, 4000) / 3600.0;
            case HeapLeak, TrafficFollowingLeak, StepLeak -> heapPerSecond = headroom / toDeath / (growth * frag);
            case LeakUnderGoMemLimit -> heapPerSecond = headroom / toDeath / frag;
            case NativeLeak -> nativePerSecond = headroom / toDeath;
            default -> {
            }
        }
        double stepEvery = logUniform(300, 1800);

        // Healthy shapes.
        double fillTau = logUniform(120, 3600);
        double boundedTau = duration * uniform(0.3, 1.0);
        boolean linearFill = random.nextBoolean();
        double stepAt = duration * uniform(0.2, 0.8);
        double batchEvery = logUniform(900, 3600);
        double batchLength = uniform(120, 600);
        double burstUntil = -1;
        double burstSize = 0;

        int n = (int) (duration / interval);
        double[] threads = new double[n];
        double[] heap = new double[n];
        double[] memory = new double[n];
        double heapAlloc = baseLive;
        double liveAtGc = baseLive;
        long lastGc = 0;
        double rssHeap = baseLive * frag;
        double leakedGoroutines = 0;
        double leakedHeap = 0;
        double leakedNative = 0;
        double diedAt = Double.NaN;
        for (long t = 0; t < duration; t++) {
            double traffic = 1 + trafficAmplitude * Math.sin(2 * Math.PI * t / trafficPeriod + trafficPhase);
            if (kind == Kind.BurstyTraffic && t > burstUntil && random.nextDouble() < 1 / 900.0) {
                burstUntil = t + uniform(20, 180);
                burstSize = uniform(2, 8);
            }
            double burst = t < burstUntil ? burstSize : 1;
            if (t >= leakStart) {
                double rate = kind == Kind.TrafficFollowingLeak ? traffic * traffic : 1;
                if (kind == Kind.StepLeak) {
                    rate = (t - (long) leakStart) % (long) stepEvery == 0 ? stepEvery : 0;
                }
                leakedGoroutines += goroutinesPerSecond * rate;
                leakedHeap += heapPerSecond * rate;
                leakedNative += nativePerSecond * rate;
            }
            double extra = switch (kind) {
                case CacheFill, DeployWarmup -> linearFill ? extraLiveBytes * Math.min(1, t / (2 * fillTau))
                        : extraLiveBytes * (1 - Math.exp(-t / fillTau));
                case BoundedGrowth -> extraLiveBytes * (1 - Math.exp(-t / boundedTau));
                case OneOffStep -> t >= stepAt ? extraLiveBytes : 0;
                case Batch -> t % (long) batchEvery < batchLength ? extraLiveBytes : 0;
                case DiurnalTraffic -> extraLiveBytes * (traffic - (1 - trafficAmplitude)) / (2 * trafficAmplitude);
                default -> 0;
            };
            double live = baseLive + extra + leakedHeap + leakedGoroutines * heapPerGoroutine;
            double goroutines = baseGoroutines + goroutinesPerTraffic * traffic * burst + leakedGoroutines;
            double stacks = (goroutines - leakedGoroutines) * stackBytes + leakedGoroutines * leakedStack;
            double nonHeapNow = overhead + nativeBase + leakedNative + stacks;

            heapAlloc = Math.max(heapAlloc, live) + allocPerSecond * traffic * burst;
            double goal = Math.max(liveAtGc * growth, live + 4 * MIB);
            if (memLimit < Double.POSITIVE_INFINITY) {
                // Under GOMEMLIMIT the goal shrinks to fit, down to the live heap: the GC then runs
                // back to back, but cannot free what is live.
                goal = Math.min(goal, Math.max((memLimit - nonHeapNow) / frag, live * 1.02));
            }
            if (heapAlloc >= goal || t - lastGc >= 120) {
                heapAlloc = live;
                liveAtGc = live;
                lastGc = t;
            }
            double heapInuse = heapAlloc * frag;
            rssHeap = heapInuse >= rssHeap ? heapInuse : rssHeap - (rssHeap - heapInuse) * (1 - Math.exp(-1 / scavengeTau));
            double rss = rssHeap + nonHeapNow + random.nextGaussian() * 0.001 * limit;
            if (rss >= limit) {
                diedAt = t;
                n = (int) (t / interval);
                break;
            }
            if (t % interval == 0) {
                int i = (int) (t / interval);
                boolean missed = random.nextDouble() < missProbability;
                threads[i] = missed ? Double.NaN : Math.round(goroutines + random.nextGaussian() * Math.sqrt(goroutines) * 0.3);
                heap[i] = missed ? Double.NaN : heapInuse;
                memory[i] = missed ? Double.NaN : rss;
            }
        }
        return new Trace(name, kind.name(), "Go", kind.leaking, kind == Kind.GoroutineOnlyLeak, interval,
                Arrays.copyOf(threads, n), Arrays.copyOf(heap, n), Arrays.copyOf(memory, n), null, limit, Double.NaN,
                diedAt, Double.isNaN(diedAt) ? null : Trace.OOM_KILLED, kind.leaking ? leakStart : Double.NaN);
    }
}
