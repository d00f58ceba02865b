package io.leakguard.operator.evaluation;

/**
 * One labelled, synthetic pod history: samples at a fixed interval, the memory limit, and the
 * truth: when the kernel would OOM-kill it (in seconds from the start), or NaN if never.
 */
public record Trace(String name, String scenario, boolean leaking, boolean goroutineOnly, long intervalSeconds,
        double[] threads, double[] heap, double[] memory, double memoryLimitBytes, double oomAtSeconds,
        double leakStartSeconds) {

    public int length() {
        return heap.length;
    }

    public long timeSeconds(int i) {
        return i * intervalSeconds;
    }
}
