package io.leakguard.operator.evaluation;

/**
 * A second, independent model of a JVM service, written to test the detector on JVM histories it was
 * not tuned on ({@link JvmRuntimeModel} is the first). Where that one has one collector, sine traffic
 * and fixed pools, this one draws per pod: the collector (G1, whose old generation a concurrent cycle
 * shrinks from its initiating occupancy, with or without uncommitting the heap; or Parallel and
 * Serial, whose old generation fills whole before a full collection, so that the live-data gauge may
 * not move for hours), the heap max as teams set it ({@code MaxRAMPercentage} of 25 to 75, or
 * {@code -Xmx}), an initial heap from a sliver to all of it, traffic that wanders at random (with a
 * daily cycle and bursts), a request pool whose threads follow the traffic and die after an idle
 * minute, stacks of 64 KiB to 1 MiB touched per thread, metaspace and code cache that grow after start,
 * malloc arenas that creep up for hours, a direct-buffer pool that keeps its high-water mark, and
 * scrape outages. Leaks follow the traffic, come in stairs, start late, leak threads, class loaders
 * (metaspace in steps at each redeploy), direct buffers or native memory. A pod dies of {@code
 * OutOfMemoryError} when its live heap no longer fits in its old generation, or is OOM-killed when its
 * resident memory reaches the container's limit.
 */
public final class JvmRoughModel extends RuntimeModel<JvmRoughModel.Kind> {

    static final double MIB = 1024.0 * 1024.0;
    static final double[] LIMITS_MIB = {256, 512, 768, 1024, 1536, 2048, 3072, 4096};
    /** {@code -XX:MaxRAMPercentage} as teams set it (25 is the JVM's default). */
    static final double[] RAM_PERCENTAGES = {25, 50, 60, 65, 70, 75};

    /** The kinds of pod history: healthy ones first, then leaks. */
    public enum Kind {
        Steady(false), CacheFill(false), TtlCache(false), Batch(false), PoolFollowsLoad(false), ArenaCreep(false),
        HighLiveNearMax(false), DirectPoolHighWater(false), BurstyTraffic(false), Redeploys(false),
        HeapLeak(true), StairHeapLeak(true), MidStartHeapLeak(true), FastHeapLeak(true), SlowHeapLeak(true),
        ThreadLeak(true), ClassLoaderLeak(true), DirectBufferLeak(true), NativeLeak(true);

        final boolean leaking;

        Kind(boolean leaking) {
            this.leaking = leaking;
        }
    }

    public JvmRoughModel(long seed) {
        super(seed, Kind.class, "jvm-rough-");
    }

    @Override
    boolean leaking(Kind kind) {
        return kind.leaking;
    }

    @Override
    Trace simulate(Kind kind, String name, long interval, long duration) {
        return new JvmRoughPod(this, kind, duration).live(name, interval);
    }
}
