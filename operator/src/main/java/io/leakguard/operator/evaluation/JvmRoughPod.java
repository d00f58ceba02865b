package io.leakguard.operator.evaluation;

import static io.leakguard.operator.evaluation.JvmRoughModel.MIB;

import java.util.SplittableRandom;

import io.leakguard.operator.evaluation.JvmRoughModel.Kind;

/**
 * One JVM of {@link JvmRoughModel}: its parameters drawn in a fixed order (sizes and collector,
 * memory beside the heap, traffic, healthy shapes, leak), then its life second by second. The order of
 * the draws is the corpus: change it and every seed gives other pods.
 */
final class JvmRoughPod {

    private enum Collector { G1, Parallel, Serial }

    private final JvmRoughModel model;
    private final Kind kind;
    private final long duration;
    // Sizes and collector.
    private double limit;
    private Collector collector;
    private double heapMax;
    /** What the old generation can hold: the heap max under G1, the heap less its young generation otherwise. */
    private double oldCapacity;
    private double eden;
    private double initialCommitted;
    private boolean uncommits;
    private double gcOverhead;
    private double ihop;
    private double baseLive;
    private double promotedShare;
    private double floating;
    private double allocPerSecond;
    // Beside the heap.
    private double metaspace;
    private double metaTau;
    private double codeCache;
    private double jitTau;
    private double stack;
    private double baseThreads;
    private double poolCore;
    private double poolMax;
    private double threadsPerTraffic;
    private double arenaMax;
    private double arenaTau;
    private double directPool;
    private double baseNative;
    // Traffic and scrapes.
    private double dailyAmplitude;
    private double dailyPhase;
    private double wanderSpread;
    private double wanderTau;
    private double missProbability;
    private double outageAt;
    private double outageLength;
    // Healthy shapes.
    private double extraLive;
    private double fillSeconds;
    private boolean linearFill;
    private double every;
    private double holdSeconds;
    private double batchThreads;
    private double redeployMeta;
    // The leak.
    private double leakStart;
    private double heapPerSecond;
    private double threadsPerSecond;
    private double leakedStack;
    private double heapPerThread;
    private double nativePerSecond;
    private double stepEvery;
    // State while it lives.
    private SplittableRandom side;
    private double allocNoise;
    private double wander;
    private double burstUntil = -1;
    private double burstSize = 1;
    private double pool;
    private double young;
    private double old;
    private double liveData;
    private double committed;
    private double touched;
    private double allocated;
    private double leakedHeap;
    private double leakedThreads;
    private double leakedNative;
    private double leakedMeta;
    private double redeployExtra;
    private double directHigh = 1;
    private double lastCycle = Double.NEGATIVE_INFINITY;
    private double liveThreads;
    private double rss;

    JvmRoughPod(JvmRoughModel model, Kind kind, long duration) {
        this.model = model;
        this.kind = kind;
        this.duration = duration;
        drawSizes();
        drawBesideHeap();
        fitHeap();
        drawTraffic();
        drawShapes();
        drawLeak();
    }

    private void drawSizes() {
        limit = JvmRoughModel.LIMITS_MIB[model.random.nextInt(JvmRoughModel.LIMITS_MIB.length)] * MIB;
        double c = model.random.nextDouble();
        collector = c < 0.6 ? Collector.G1 : c < 0.85 ? Collector.Parallel : Collector.Serial;
        heapMax = model.random.nextDouble() < 0.7
                ? limit * JvmRoughModel.RAM_PERCENTAGES[model.random.nextInt(JvmRoughModel.RAM_PERCENTAGES.length)] / 100
                : limit * model.uniform(0.4, 0.75);
        boolean xmsIsXmx = model.random.nextDouble() < 0.35;
        initialCommitted = xmsIsXmx ? Double.NaN : model.uniform(1.0 / 64, 0.25);
        uncommits = collector == Collector.G1 && model.random.nextDouble() < 0.3;
        gcOverhead = collector == Collector.G1 ? model.uniform(0.03, 0.08) : model.uniform(0.005, 0.02);
        ihop = model.uniform(0.35, 0.6);
        promotedShare = model.uniform(0.002, 0.04);
        floating = model.uniform(0, 0.02);
    }

    private void drawBesideHeap() {
        metaspace = Math.min(model.uniform(40, 200), 0.2 * limit / MIB) * MIB;
        metaTau = model.uniform(20, 180);
        codeCache = model.uniform(15, 80) * MIB;
        jitTau = model.logUniform(600, 4 * 3600);
        stack = model.logUniform(64 * 1024, 1024 * 1024);
        baseThreads = Math.round(model.uniform(20, 60));
        poolCore = Math.round(model.uniform(5, 50));
        poolMax = kind == Kind.PoolFollowsLoad ? model.uniform(300, 800) : 200;
        threadsPerTraffic = kind == Kind.PoolFollowsLoad ? model.logUniform(50, 300) : model.logUniform(2, 60);
        arenaMax = (kind == Kind.ArenaCreep ? model.uniform(0.08, 0.2) : model.uniform(0, 0.04)) * limit;
        arenaTau = model.logUniform(3600, 6 * 3600);
        directPool = (kind == Kind.DirectPoolHighWater ? model.uniform(0.05, 0.15) : model.uniform(0, 0.03)) * limit;
        baseNative = model.uniform(10, 40) * MIB;
    }

    /** The heap max as drawn, lowered where all of the rest would not fit beside it, and its generations. */
    private void fitHeap() {
        double besideMax = metaspace + codeCache + (baseThreads + Math.min(poolMax, poolCore + 3 * threadsPerTraffic)) * stack
                + arenaMax + directPool + baseNative + 40 * MIB;
        heapMax = Math.max(48 * MIB, Math.min(heapMax, (limit * 0.95 - besideMax) / (1 + gcOverhead)));
        if (collector == Collector.G1) {
            oldCapacity = heapMax;
            eden = heapMax * model.uniform(0.05, 0.3);
        } else {
            // NewRatio=2: a third of the heap is young, most of it eden.
            oldCapacity = heapMax * 2 / 3;
            eden = heapMax / 3 * 0.8;
        }
        initialCommitted = Double.isNaN(initialCommitted) ? heapMax : heapMax * initialCommitted;
        double liveShare = kind == Kind.HighLiveNearMax ? model.uniform(0.55, 0.75) : model.uniform(0.08, 0.4);
        baseLive = oldCapacity * liveShare;
        allocPerSecond = eden / model.logUniform(0.5, 30);
    }

    private void drawTraffic() {
        dailyAmplitude = model.uniform(0, 0.5);
        dailyPhase = model.uniform(0, 2 * Math.PI);
        wanderSpread = model.uniform(0.05, 0.5);
        wanderTau = model.logUniform(600, 4 * 3600);
        missProbability = model.random.nextDouble() < 0.3 ? model.uniform(0.002, 0.03) : 0;
        outageAt = model.random.nextDouble() < 0.2 ? model.uniform(0, duration) : Double.NaN;
        outageLength = model.uniform(120, 900);
    }

    private void drawShapes() {
        extraLive = switch (kind) {
            case CacheFill -> oldCapacity * model.uniform(0.1, 0.35);
            case TtlCache, Batch -> oldCapacity * model.uniform(0.1, 0.3);
            default -> 0;
        };
        fillSeconds = model.uniform(600, 7200);
        linearFill = model.random.nextBoolean();
        every = kind == Kind.Redeploys ? model.uniform(1200, 5400) : model.logUniform(900, 7200);
        holdSeconds = model.uniform(120, 900);
        batchThreads = model.uniform(10, 50);
        redeployMeta = model.uniform(10, 40) * MIB;
    }

    private void drawLeak() {
        leakStart = switch (kind) {
            case MidStartHeapLeak -> duration * model.uniform(0.2, 0.7);
            case FastHeapLeak -> model.random.nextBoolean() ? 0 : duration * model.uniform(0.1, 0.75);
            default -> kind.leaking ? (model.random.nextDouble() < 0.3 ? duration * model.uniform(0, 0.4) : 0) : Double.NaN;
        };
        double left = duration - (Double.isNaN(leakStart) ? 0 : leakStart);
        double toDeath = switch (kind) {
            case FastHeapLeak -> model.uniform(20 * 60, 45 * 60);
            case SlowHeapLeak -> left * model.uniform(0.7, 1.4);
            case MidStartHeapLeak -> left * model.uniform(0.3, 0.9);
            case ThreadLeak -> model.random.nextBoolean() ? Double.POSITIVE_INFINITY : left * model.uniform(0.3, 0.9);
            default -> left * model.uniform(0.2, 0.9);
        };
        double heapHeadroom = oldCapacity * 0.97 - baseLive - eden * 0.05;
        double steadyRss = heapMax * (1 + gcOverhead) + metaspace + codeCache
                + (baseThreads + poolCore + threadsPerTraffic) * stack + arenaMax + directPool + baseNative;
        double rssHeadroom = Math.max(limit - steadyRss, 0.05 * limit);
        leakedStack = model.logUniform(32 * 1024, 256 * 1024);
        heapPerThread = model.uniform(1, 20) * 1024;
        stepEvery = model.logUniform(300, 2400);
        switch (kind) {
            case HeapLeak, StairHeapLeak, MidStartHeapLeak, FastHeapLeak, SlowHeapLeak ->
                    heapPerSecond = heapHeadroom / toDeath;
            case ThreadLeak -> threadsPerSecond = Double.isInfinite(toDeath) ? model.logUniform(30, 1200) / 3600.0
                    : rssHeadroom / toDeath / leakedStack;
            case ClassLoaderLeak, DirectBufferLeak, NativeLeak -> nativePerSecond = rssHeadroom / toDeath;
            default -> {
            }
        }
    }

    /** Lives until the JVM or the kernel kills it, or the duration ends; scraped every {@code interval} seconds. */
    Trace live(String name, long interval) {
        int n = (int) (duration / interval);
        JvmScrapes scrapes = new JvmScrapes(n, collector == Collector.G1, true);
        side = model.sideRandom(name);
        allocNoise = 0.05 + 0.6 * side.nextDouble();
        committed = initialCommitted;
        pool = poolCore;
        old = baseLive * 0.3;
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
                boolean missed = side.nextDouble() < missProbability || t >= outageAt && t < outageAt + outageLength;
                scrapes.record(i, missed, liveThreads, liveData, rss, committed, old, allocated,
                        Math.min(old + young, heapMax));
            }
        }
        return scrapes.trace(name, kind.name(), kind.leaking, interval, n, limit, oldCapacity, diedAt, death, leakStart);
    }

    /** One second of the JVM's life; returns how it died in it, or null while it lives. */
    private String second(long t) {
        double traffic = traffic(t);
        boolean leaking = t >= leakStart;
        if (leaking) {
            switch (kind) {
                case HeapLeak, MidStartHeapLeak, FastHeapLeak, SlowHeapLeak -> leakedHeap += heapPerSecond * traffic;
                case StairHeapLeak -> leakedHeap += (t - (long) leakStart) % (long) stepEvery == 0
                        ? heapPerSecond * stepEvery : 0;
                case ThreadLeak -> leakedThreads += threadsPerSecond * traffic;
                case ClassLoaderLeak -> {
                    // A redeploy every stepEvery whose class loader is never released: metaspace, and some heap.
                    if ((t - (long) leakStart) % (long) stepEvery == 0) {
                        leakedMeta += nativePerSecond * stepEvery;
                        leakedHeap += nativePerSecond * stepEvery * 0.1;
                    }
                }
                case DirectBufferLeak -> leakedNative += nativePerSecond * traffic;
                case NativeLeak -> leakedNative += nativePerSecond;
                default -> {
                }
            }
        }
        double phase = t % (long) every;
        double extra = switch (kind) {
            case CacheFill -> extraLive * (linearFill ? Math.min(1, t / fillSeconds) : 1 - Math.exp(-3 * t / fillSeconds));
            case TtlCache -> extraLive * phase / every;
            case Batch -> phase < holdSeconds ? extraLive : 0;
            default -> 0;
        };
        // A redeploy loads a new class loader; the old one goes at the next old collection, within minutes.
        redeployExtra = kind == Kind.Redeploys && t > 0 && phase < holdSeconds ? redeployMeta : 0;
        double needed = poolCore + threadsPerTraffic * traffic;
        pool = needed > pool ? Math.min(poolMax, needed) : pool - (pool - needed) / 60;
        liveThreads = baseThreads + pool + leakedThreads + (kind == Kind.Batch && phase < holdSeconds ? batchThreads : 0);
        double live = baseLive + extra + leakedHeap + leakedThreads * heapPerThread;
        collect(live, traffic, t);
        if (collector == Collector.G1 ? live + eden * 0.05 >= heapMax * 0.97 : live >= oldCapacity * 0.98) {
            return Trace.OUT_OF_MEMORY_ERROR;
        }
        directHigh = Math.max(directHigh, traffic);
        // Most classes load in the first minutes; a tenth more as the code paths they serve are first taken.
        double meta = metaspace * (0.9 - 0.6 * Math.exp(-t / metaTau) + 0.1 * (1 - Math.exp(-t / jitTau))) + leakedMeta
                + redeployExtra;
        double code = codeCache * (1 - 0.8 * Math.exp(-t / jitTau));
        double arena = arenaMax * (1 - Math.exp(-t / arenaTau));
        double direct = directPool * Math.min(1, directHigh / 2.5);
        rss = touched * (1 + gcOverhead) + meta + code + liveThreads * stack + leakedThreads * leakedStack + arena + direct
                + leakedNative + baseNative + side.nextGaussian() * 0.002 * limit;
        return rss >= limit ? Trace.OOM_KILLED : null;
    }

    /** Wandering traffic (its logarithm an Ornstein-Uhlenbeck process) on a daily cycle, with bursts. */
    private double traffic(long t) {
        wander += -wander / wanderTau + wanderSpread * Math.sqrt(2 / wanderTau) * side.nextGaussian();
        if (kind == Kind.BurstyTraffic && t > burstUntil && side.nextDouble() < 1 / 900.0) {
            burstUntil = t + 30 + side.nextDouble() * 270;
            burstSize = 2 + side.nextDouble() * 4;
        }
        double burst = t < burstUntil ? burstSize : 1;
        double daily = 1 + dailyAmplitude * Math.sin(2 * Math.PI * t / 86_400 + dailyPhase);
        return daily * Math.exp(wander - wanderSpread * wanderSpread / 2) * burst;
    }

    /**
     * Allocation fills eden; each young collection promotes a share of it. G1 shrinks its old generation
     * to what is live (and some floating garbage) once it passes the initiating occupancy; Parallel and
     * Serial only when it is full. The live-data gauge moves at those collections only.
     */
    private void collect(double live, double traffic, long now) {
        double allocation = allocPerSecond * traffic;
        young += allocation;
        allocated += allocation * Math.exp(allocNoise * side.nextGaussian() - allocNoise * allocNoise / 2);
        if (young >= eden) {
            old += young * promotedShare;
            young = 0;
        }
        old = Math.max(old, live);
        // A G1 concurrent cycle takes its time: at most one a minute, unless the heap is full.
        boolean cycle = collector == Collector.G1
                ? old >= ihop * heapMax && now - lastCycle >= 60 || old + young >= heapMax
                : old >= oldCapacity;
        if (cycle) {
            lastCycle = now;
            old = Math.min(live + floating * oldCapacity * side.nextDouble(), oldCapacity);
            liveData = old;
            if (uncommits && committed > 1.5 * (old + eden)) {
                committed = Math.max(initialCommitted, (old + eden) * 1.2);
                touched = Math.min(touched, committed);
            }
        }
        double used = Math.min(old + young, heapMax);
        committed = Math.max(committed, Math.min(heapMax, used * 1.1));
        // Pages are resident once touched. Parallel and Serial touch their young generation (a fixed range) and
        // the old generation as far as it has filled; G1 spreads eden over free regions and touches all of a heap
        // committed at once (-Xms as -Xmx) within minutes of start, as a recorded G1 JVM did (here, at once).
        double reach = collector == Collector.G1 ? committed : old + young;
        touched = Math.max(touched, Math.min(committed, reach));
    }
}
