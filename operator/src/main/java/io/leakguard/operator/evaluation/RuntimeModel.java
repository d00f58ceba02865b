package io.leakguard.operator.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A simulated runtime that writes labelled traces from a fixed seed, one kind of pod history at a
 * time. A healthy draw that would die anyway (an unlucky combination of parameters) is drawn again,
 * so that a healthy trace is healthy by construction.
 *
 * @param <K> the kinds of pod history
 */
abstract class RuntimeModel<K extends Enum<K>> {

    protected final SplittableRandom random;
    private final long seed;
    private final Class<K> kinds;
    private final String prefix;

    RuntimeModel(long seed, Class<K> kinds, String prefix) {
        this.random = new SplittableRandom(seed);
        this.seed = seed;
        this.kinds = kinds;
        this.prefix = prefix;
    }

    /** {@code perKind} traces of every kind. */
    public List<Trace> corpus(int perKind, long intervalSeconds, long durationSeconds) {
        List<Trace> traces = new ArrayList<>();
        for (K kind : kinds.getEnumConstants()) {
            for (int i = 0; i < perKind; i++) {
                traces.add(generate(kind, prefix + kind.name() + "-" + i, intervalSeconds, durationSeconds));
            }
        }
        return traces;
    }

    public Trace generate(K kind, String name, long intervalSeconds, long durationSeconds) {
        for (int attempt = 0; ; attempt++) {
            Trace trace = simulate(kind, name, intervalSeconds, durationSeconds);
            if (leaking(kind) || Double.isNaN(trace.oomAtSeconds()) || attempt > 20) {
                return trace;
            }
        }
    }

    abstract boolean leaking(K kind);

    abstract Trace simulate(K kind, String name, long intervalSeconds, long durationSeconds);

    /**
     * A pod's own stream, for what was added to a model after its first corpora (the allocation counter):
     * drawing it from {@link #random} would change every later pod of the same seed.
     */
    SplittableRandom sideRandom(String name) {
        return new SplittableRandom(seed * 1_000_003L + name.hashCode());
    }

    double uniform(double from, double to) {
        return from + (to - from) * random.nextDouble();
    }

    double logUniform(double from, double to) {
        return Math.exp(uniform(Math.log(from), Math.log(to)));
    }
}
