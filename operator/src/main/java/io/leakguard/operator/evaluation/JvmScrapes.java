package io.leakguard.operator.evaluation;

import java.util.Arrays;

/**
 * A simulated JVM's scrapes as Micrometer would give them: each gauge's samples, NaN where a scrape was
 * missed, cut where the pod died. Shared by {@link JvmPod} and {@link JvmRoughPod}.
 */
final class JvmScrapes {

    private final double[] threads;
    private final double[] heap;
    private final double[] memory;
    private final double[] heapCommitted;
    private final double[] oldGen;
    private final double[] allocated;
    private final double[] heapUsed;

    /**
     * @param oldGen whether a G1 old generation is exported
     * @param heapUsed whether the heap in use is exported
     */
    JvmScrapes(int n, boolean oldGen, boolean heapUsed) {
        threads = new double[n];
        heap = new double[n];
        memory = new double[n];
        heapCommitted = new double[n];
        this.oldGen = oldGen ? new double[n] : null;
        allocated = new double[n];
        this.heapUsed = heapUsed ? new double[n] : null;
    }

    /** Scrape {@code i}; every gauge NaN when it was missed. Gauges not exported are ignored. */
    void record(int i, boolean missed, double threadsNow, double liveData, double rss, double committed,
            double oldGenNow, double allocatedNow, double heapUsedNow) {
        threads[i] = missed ? Double.NaN : Math.round(threadsNow);
        heap[i] = missed ? Double.NaN : liveData;
        memory[i] = missed ? Double.NaN : rss;
        heapCommitted[i] = missed ? Double.NaN : committed;
        if (oldGen != null) {
            oldGen[i] = missed ? Double.NaN : oldGenNow;
        }
        allocated[i] = missed ? Double.NaN : allocatedNow;
        if (heapUsed != null) {
            heapUsed[i] = missed ? Double.NaN : heapUsedNow;
        }
    }

    /** The first {@code n} scrapes as a JVM trace, with its ceilings and truth. */
    Trace trace(String name, String kind, boolean leaking, long interval, int n, double limit, double heapMax,
            double diedAt, String death, double leakStart) {
        return new Trace(name, kind, "JVM", leaking, false, interval, Arrays.copyOf(threads, n), Arrays.copyOf(heap, n),
                Arrays.copyOf(memory, n), Arrays.copyOf(heapCommitted, n), limit, heapMax, Double.NaN, diedAt, death,
                leaking ? leakStart : Double.NaN, oldGen == null ? null : Arrays.copyOf(oldGen, n),
                Arrays.copyOf(allocated, n), heapUsed == null ? null : Arrays.copyOf(heapUsed, n));
    }
}
