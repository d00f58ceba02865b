package io.leakguard.operator.evaluation;

import static io.leakguard.operator.evaluation.JvmRuntimeModel.MIB;

import io.leakguard.operator.evaluation.JvmRuntimeModel.Kind;

/**
 * One simulated JVM: its parameters drawn in a fixed order (sizes, heap and GC, traffic, leak, healthy
 * shapes), then its life second by second. The order of the random draws is the corpus: change it and
 * every seed gives other pods.
 */
final class JvmPod {
    private final JvmRuntimeModel model;
    private final Kind kind;
    private final long duration;
    private double limit;
    private double metaspace;
    private double codeCache;
    private double jitTau;
    private double threadStack;
    private double baseThreads;
    private double gcOverhead;
    private double poolGrowth;
    private double nonHeap;
    private double heapMax;
    private double eden;
    private double ihop;
    private double baseLive;
    private double extraLive;
    /** The bytes allocated so far, noisy second to second (its own random stream: see RuntimeModel#sideRandom). */
    private double allocated;
    private java.util.SplittableRandom side;
    private double allocNoise;
    private double allocPerSecond;
    private double promotedShare;
    private double floating;
    private double trafficAmplitude;
    private double trafficPeriod;
    private double trafficPhase;
    private double missProbability;
    private boolean lazyCommit;
    private double leakStart;
    private double heapPerSecond;
    private double threadsPerSecond;
    private double nativePerSecond;
    private double fillTau;
    private double batchEvery;
    private double batchLength;
    // State while it lives.
    private double burstUntil = -1;
    private double burstSize;
    private double young;
    private double old;
    private double liveData;
    private double committed;
    private double leakedHeap;
    private double leakedThreads;
    private double leakedNative;
    private double liveThreads;
    private double rss;

    JvmPod(JvmRuntimeModel model, Kind kind, long duration) {
        this.model = model;
        this.kind = kind;
        this.duration = duration;
        drawSizes();
        drawTrafficAndCommit();
        drawLeak();
        fillTau = model.logUniform(120, 2400);
        batchEvery = model.logUniform(900, 3600);
        batchLength = model.uniform(120, 600);
    }

    private void drawSizes() {
        limit = JvmRuntimeModel.LIMITS_MIB[model.random.nextInt(JvmRuntimeModel.LIMITS_MIB.length)] * MIB;
        metaspace = model.uniform(40, 160) * MIB;
        codeCache = model.uniform(10, 50) * MIB;
        jitTau = model.logUniform(300, 3600);
        threadStack = model.uniform(0.1, 1.0) * MIB;
        baseThreads = Math.round(model.logUniform(25, 400));
        gcOverhead = model.uniform(0.02, 0.08);
        poolGrowth = baseThreads * model.uniform(0.5, 3);
        // What lives beside the heap at its largest: a healthy JVM is sized so that all of it fits.
        nonHeap = metaspace + codeCache * (kind == Kind.JitWarmup ? 2.5 : 1)
                + (baseThreads + (kind == Kind.ThreadPoolGrowth ? poolGrowth : 0)) * threadStack + model.uniform(5, 40) * MIB;
        // MaxRAMPercentage as teams set it, capped so that a healthy JVM fits its container.
        heapMax = Math.min(limit * model.uniform(0.5, 0.8), (limit * 0.92 - nonHeap) / (1 + gcOverhead));
        heapMax = Math.max(heapMax, 64 * MIB);
        eden = heapMax * model.uniform(0.08, 0.3);
        ihop = model.uniform(0.45, 0.7);
        double liveShare = switch (kind) {
            case HighLiveSteady -> model.uniform(0.6, 0.8);
            default -> model.uniform(0.1, 0.45);
        };
        baseLive = heapMax * liveShare;
        extraLive = switch (kind) {
            case CacheWarmup, Batch -> heapMax * model.uniform(0.05, 0.2);
            default -> 0;
        };
        double youngGcSeconds = model.logUniform(0.5, 60);
        allocPerSecond = eden / youngGcSeconds;
        promotedShare = model.uniform(0.005, 0.05);
        floating = model.uniform(0, 0.05) * heapMax;
    }

    private void drawTrafficAndCommit() {
        trafficAmplitude = kind == Kind.TrafficFollowingHeapLeak ? model.uniform(0.5, 0.95) : model.uniform(0, 0.5);
        trafficPeriod = model.logUniform(1800, 86_400);
        trafficPhase = model.uniform(0, 2 * Math.PI);
        missProbability = model.random.nextDouble() < 0.3 ? model.uniform(0.005, 0.05) : 0;
        // CommitGrowth: the heap is committed lazily, so resident memory climbs for a while after start.
        lazyCommit = kind == Kind.CommitGrowth || model.random.nextDouble() < 0.5;
    }

    private void drawLeak() {
        leakStart = switch (kind) {
            case MidStartHeapLeak -> duration * model.uniform(0.2, 0.7);
            case FastHeapLeak -> model.random.nextBoolean() ? 0 : duration * model.uniform(0.1, 0.7);
            default -> kind.leaking ? (model.random.nextDouble() < 0.3 ? duration * model.uniform(0, 0.4) : 0) : Double.NaN;
        };
        double toDeath = switch (kind) {
            case FastHeapLeak -> model.uniform(15 * 60, 45 * 60);
            case SlowHeapLeak -> (duration - leakStart) * model.uniform(0.8, 1.0);
            case MidStartHeapLeak -> (duration - leakStart) * model.uniform(0.3, 0.9);
            case ThreadLeak -> model.random.nextBoolean() ? Double.POSITIVE_INFINITY
                    : (duration - leakStart) * model.uniform(0.3, 0.9);
            default -> (duration - leakStart) * model.uniform(0.2, 0.9);
        };
        double rssHeadroom = limit - (heapMax * (1 + gcOverhead) + nonHeap);
        switch (kind) {
            case HeapLeak, FastHeapLeak, TrafficFollowingHeapLeak, MidStartHeapLeak, SlowHeapLeak ->
                    heapPerSecond = (heapMax * 0.97 - baseLive - eden * 0.1) / toDeath;
            case ThreadLeak -> threadsPerSecond = Double.isInfinite(toDeath) ? model.logUniform(50, 1500) / 3600.0
                    : Math.max(rssHeadroom, 0.05 * limit) / toDeath / threadStack;
            case DirectBufferLeak, MetaspaceLeak -> nativePerSecond = Math.max(rssHeadroom, 0.05 * limit) / toDeath;
            default -> {
            }
        }
    }

    /** Lives until the JVM or the kernel kills it, or the duration ends; scraped every {@code interval} seconds. */
    Trace live(String name, long interval) {
        int n = (int) (duration / interval);
        JvmScrapes scrapes = new JvmScrapes(n, false, false);
        side = model.sideRandom(name);
        allocNoise = 0.1 + 0.9 * side.nextDouble();
        old = baseLive * 0.5;
        committed = lazyCommit ? Math.min(heapMax, baseLive + eden) * 0.6 : heapMax;
        double diedAt = Double.NaN;
        String death = null;
        for (long t = 0; t < duration; t++) {
            death = second(t);
            if (death != null) {
                diedAt = t;
                n = (int) (t / interval);
                break;
            }
            if (t % interval == 0) {
                int i = (int) (t / interval);
                boolean missed = model.random.nextDouble() < missProbability;
                scrapes.record(i, missed, liveThreads, liveData, rss, committed, Double.NaN, allocated, Double.NaN);
            }
        }
        return scrapes.trace(name, kind.name(), kind.leaking, interval, n, limit, heapMax, diedAt, death, leakStart);
    }

    /** One second of the JVM's life; returns how it died in it, or null while it lives. */
    private String second(long t) {
        double traffic = 1 + trafficAmplitude * Math.sin(2 * Math.PI * t / trafficPeriod + trafficPhase);
        if (kind == Kind.BurstyTraffic && t > burstUntil && model.random.nextDouble() < 1 / 900.0) {
            burstUntil = t + model.uniform(20, 180);
            burstSize = model.uniform(2, 6);
        }
        double burst = t < burstUntil ? burstSize : 1;
        if (t >= leakStart) {
            double rate = kind == Kind.TrafficFollowingHeapLeak ? traffic * traffic : 1;
            leakedHeap += heapPerSecond * rate;
            leakedThreads += threadsPerSecond;
            leakedNative += nativePerSecond;
        }
        double extra = switch (kind) {
            case CacheWarmup -> extraLive * (1 - Math.exp(-t / fillTau));
            case Batch -> t % (long) batchEvery < batchLength ? extraLive : 0;
            default -> 0;
        };
        double live = Math.min(baseLive + extra + leakedHeap, heapMax);
        liveThreads = baseThreads + leakedThreads + (kind == Kind.BurstyTraffic ? baseThreads * (burst - 1) * 0.3 : 0)
                + (kind == Kind.ThreadPoolGrowth ? poolGrowth * (1 - Math.exp(-t / fillTau)) : 0);
        collect(live, traffic, burst);
        if (live + eden * 0.1 >= heapMax * 0.97) {
            return Trace.OUT_OF_MEMORY_ERROR;
        }
        double used = Math.min(old + young, heapMax);
        committed = Math.max(committed, Math.min(heapMax, used * 1.1));
        double jit = kind == Kind.JitWarmup ? 2.5 : 1;
        rss = committed * (1 + gcOverhead) + metaspace + codeCache * jit * (1 - 0.6 * Math.exp(-t / jitTau))
                + liveThreads * threadStack + leakedNative + model.uniform(5, 6) * MIB + model.random.nextGaussian() * 0.001 * limit;
        return rss >= limit ? Trace.OOM_KILLED : null;
    }

    /** Allocation fills the young generation; promotion fills the old one, which a cycle brings back to live. */
    private void collect(double live, double traffic, double burst) {
        double allocation = allocPerSecond * traffic * burst;
        young += allocation;
        allocated += allocation * Math.exp(allocNoise * side.nextGaussian() - allocNoise * allocNoise / 2);
        if (young >= eden) {
            old += young * promotedShare;
            young = eden * 0.02;
        }
        old = Math.max(old, live);
        if (old >= ihop * heapMax || old + young >= heapMax) {
            // A concurrent cycle with mixed collections, or a full GC: old shrinks to what is live.
            old = Math.min(live + floating * model.random.nextDouble(), heapMax);
            liveData = old;
        }
    }
}
