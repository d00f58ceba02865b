package io.leakguard.operator.evaluation;

import java.util.Arrays;

/**
 * A model of a JVM service with a generational collector, as Micrometer reports it: the young
 * generation fills and is collected every few seconds, survivors are promoted, and the old
 * generation is collected only when it reaches the initiating occupancy, so
 * {@code jvm_gc_live_data_size_bytes} is 0 until the first old collection and then moves as a
 * staircase. Resident memory is the committed heap (which grows and seldom shrinks) plus metaspace,
 * code cache, thread stacks and direct buffers. A pod dies of {@code OutOfMemoryError} when its
 * live heap no longer fits under the heap max, or is OOM-killed when its resident memory reaches
 * the container's limit.
 */
public final class JvmRuntimeModel extends RuntimeModel<JvmRuntimeModel.Kind> {

    static final double MIB = 1024.0 * 1024.0;
    private static final double[] LIMITS_MIB = {512, 768, 1024, 1536, 2048, 3072, 4096};

    /** The kinds of pod history: healthy ones first, then leaks. */
    public enum Kind {
        Steady(false), CommitGrowth(false), CacheWarmup(false), Batch(false), BurstyTraffic(false),
        HighLiveSteady(false), JitWarmup(false), ThreadPoolGrowth(false),
        HeapLeak(true), FastHeapLeak(true), TrafficFollowingHeapLeak(true), MidStartHeapLeak(true),
        SlowHeapLeak(true), ThreadLeak(true), DirectBufferLeak(true), MetaspaceLeak(true);

        final boolean leaking;

        Kind(boolean leaking) {
            this.leaking = leaking;
        }
    }

    public JvmRuntimeModel(long seed) {
        super(seed, Kind.class, "jvm-");
    }

    @Override
    boolean leaking(Kind kind) {
        return kind.leaking;
    }

    @Override
    Trace simulate(Kind kind, String name, long interval, long duration) {
        double limit = LIMITS_MIB[random.nextInt(LIMITS_MIB.length)] * MIB;
        double metaspace = uniform(40, 160) * MIB;
        double codeCache = uniform(10, 50) * MIB;
        double jitTau = logUniform(300, 3600);
        double threadStack = uniform(0.1, 1.0) * MIB;
        double baseThreads = Math.round(logUniform(25, 400));
        double gcOverhead = uniform(0.02, 0.08);
        double poolGrowth = baseThreads * uniform(0.5, 3);
        // What lives beside the heap at its largest: a healthy JVM is sized so that all of it fits.
        double nonHeap = metaspace + codeCache * (kind == Kind.JitWarmup ? 2.5 : 1)
                + (baseThreads + (kind == Kind.ThreadPoolGrowth ? poolGrowth : 0)) * threadStack + uniform(5, 40) * MIB;
        // MaxRAMPercentage as teams set it, capped so that a healthy JVM fits its container.
        double heapMax = Math.min(limit * uniform(0.5, 0.8), (limit * 0.92 - nonHeap) / (1 + gcOverhead));
        heapMax = Math.max(heapMax, 64 * MIB);
        double eden = heapMax * uniform(0.08, 0.3);
        double ihop = uniform(0.45, 0.7);
        double liveShare = switch (kind) {
            case HighLiveSteady -> uniform(0.6, 0.8);
            default -> uniform(0.1, 0.45);
        };
        double baseLive = heapMax * liveShare;
        double extraLive = switch (kind) {
            case CacheWarmup, Batch -> heapMax * uniform(0.05, 0.2);
            default -> 0;
        };
        double youngGcSeconds = logUniform(0.5, 60);
        double allocPerSecond = eden / youngGcSeconds;
        double promotedShare = uniform(0.005, 0.05);
        double floating = uniform(0, 0.05) * heapMax;
        double trafficAmplitude = kind == Kind.TrafficFollowingHeapLeak ? uniform(0.5, 0.95) : uniform(0, 0.5);
        double trafficPeriod = logUniform(1800, 86_400);
        double trafficPhase = uniform(0, 2 * Math.PI);
        double missProbability = random.nextDouble() < 0.3 ? uniform(0.005, 0.05) : 0;
        // CommitGrowth: the heap is committed lazily, so resident memory climbs for a while after start.
        boolean lazyCommit = kind == Kind.CommitGrowth || random.nextDouble() < 0.5;

        double leakStart = switch (kind) {
            case MidStartHeapLeak -> duration * uniform(0.2, 0.7);
            case FastHeapLeak -> random.nextBoolean() ? 0 : duration * uniform(0.1, 0.7);
            default -> kind.leaking ? (random.nextDouble() < 0.3 ? duration * uniform(0, 0.4) : 0) : Double.NaN;
        };
        double toDeath = switch (kind) {
            case FastHeapLeak -> uniform(15 * 60, 45 * 60);
            case SlowHeapLeak -> (duration - leakStart) * uniform(0.8, 1.0);
            case MidStartHeapLeak -> (duration - leakStart) * uniform(0.3, 0.9);
            case ThreadLeak -> random.nextBoolean() ? Double.POSITIVE_INFINITY : (duration - leakStart) * uniform(0.3, 0.9);
            default -> (duration - leakStart) * uniform(0.2, 0.9);
        };
        double heapPerSecond = 0;
        double threadsPerSecond = 0;
        double nativePerSecond = 0;
        double rssHeadroom = limit - (heapMax * (1 + gcOverhead) + nonHeap);
        switch (kind) {
            case HeapLeak, FastHeapLeak, TrafficFollowingHeapLeak, MidStartHeapLeak, SlowHeapLeak ->
                    heapPerSecond = (heapMax * 0.97 - baseLive - eden * 0.1) / toDeath;
            case ThreadLeak -> threadsPerSecond = Double.isInfinite(toDeath) ? logUniform(50, 1500) / 3600.0
                    : Math.max(rssHeadroom, 0.05 * limit) / toDeath / threadStack;
            case DirectBufferLeak, MetaspaceLeak -> nativePerSecond = Math.max(rssHeadroom, 0.05 * limit) / toDeath;
            default -> {
            }
        }
        double fillTau = logUniform(120, 2400);
        double batchEvery = logUniform(900, 3600);
        double batchLength = uniform(120, 600);
        double burstUntil = -1;
        double burstSize = 0;

        int n = (int) (duration / interval);
        double[] threads = new double[n];
        double[] heap = new double[n];
        double[] memory = new double[n];
        double[] heapCommitted = new double[n];
        double young = 0;
        double old = baseLive * 0.5;
        double liveData = 0;
        double committed = lazyCommit ? Math.min(heapMax, baseLive + eden) * 0.6 : heapMax;
        double leakedHeap = 0;
        double leakedThreads = 0;
        double leakedNative = 0;
        double diedAt = Double.NaN;
        String death = null;
        for (long t = 0; t < duration; t++) {
            double traffic = 1 + trafficAmplitude * Math.sin(2 * Math.PI * t / trafficPeriod + trafficPhase);
            if (kind == Kind.BurstyTraffic && t > burstUntil && random.nextDouble() < 1 / 900.0) {
                burstUntil = t + uniform(20, 180);
                burstSize = uniform(2, 6);
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
            double liveThreads = baseThreads + leakedThreads + (kind == Kind.BurstyTraffic ? baseThreads * (burst - 1) * 0.3 : 0)
                    + (kind == Kind.ThreadPoolGrowth ? poolGrowth * (1 - Math.exp(-t / fillTau)) : 0);

            young += allocPerSecond * traffic * burst;
            if (young >= eden) {
                old += young * promotedShare;
                young = eden * 0.02;
            }
            old = Math.max(old, live);
            if (old >= ihop * heapMax || old + young >= heapMax) {
                // A concurrent cycle with mixed collections, or a full GC: old shrinks to what is live.
                old = Math.min(live + floating * random.nextDouble(), heapMax);
                liveData = old;
            }
            if (live + eden * 0.1 >= heapMax * 0.97) {
                diedAt = t;
                death = Trace.OUT_OF_MEMORY_ERROR;
                n = (int) (t / interval);
                break;
            }
            double used = Math.min(old + young, heapMax);
            committed = Math.max(committed, Math.min(heapMax, used * 1.1));
            double jit = kind == Kind.JitWarmup ? 2.5 : 1;
            double rss = committed * (1 + gcOverhead) + metaspace + codeCache * jit * (1 - 0.6 * Math.exp(-t / jitTau))
                    + liveThreads * threadStack + leakedNative + uniform(5, 6) * MIB + random.nextGaussian() * 0.001 * limit;
            if (rss >= limit) {
                diedAt = t;
                death = Trace.OOM_KILLED;
                n = (int) (t / interval);
                break;
            }
            if (t % interval == 0) {
                int i = (int) (t / interval);
                boolean missed = random.nextDouble() < missProbability;
                threads[i] = missed ? Double.NaN : Math.round(liveThreads);
                heap[i] = missed ? Double.NaN : liveData;
                memory[i] = missed ? Double.NaN : rss;
                heapCommitted[i] = missed ? Double.NaN : committed;
            }
        }
        return new Trace(name, kind.name(), "JVM", kind.leaking, false, interval, Arrays.copyOf(threads, n),
                Arrays.copyOf(heap, n), Arrays.copyOf(memory, n), Arrays.copyOf(heapCommitted, n), limit, heapMax, diedAt, death,
                kind.leaking ? leakStart : Double.NaN);
    }
}
