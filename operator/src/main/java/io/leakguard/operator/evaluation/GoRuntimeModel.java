package io.leakguard.operator.evaluation;

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
    static final double[] LIMITS_MIB = {128, 192, 256, 384, 512, 768, 1024, 1536, 2048};
    static final double[] GOGC = {50, 75, 100, 100, 100, 150, 200};

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

    /** Rough traffic and noisy gauges (see {@link GoPod#drawRoughness}), or the smooth model. */
    final boolean rough;

    public GoRuntimeModel(long seed) {
        this(seed, false);
    }

    /**
     * @param rough traffic that also wanders at random and in-flight goroutines that jitter as requests
     *        come and go, noisier resident memory, and scrape outages of minutes
     */
    public GoRuntimeModel(long seed, boolean rough) {
        super(seed, Kind.class, rough ? "go-rough-" : "go-");
        this.rough = rough;
    }

    @Override
    boolean leaking(Kind kind) {
        return kind.leaking;
    }

    @Override
    Trace simulate(Kind kind, String name, long interval, long duration) {
        return new GoPodLife(new GoPod(this, kind, duration)).live(name, interval);
    }
}
