package io.leakguard.operator.evaluation;

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
    static final double[] LIMITS_MIB = {512, 768, 1024, 1536, 2048, 3072, 4096};

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
        return new JvmPod(this, kind, duration).live(name, interval);
    }
}
