package io.leakguard.operator.detection;

/**
 * The judgement on one pod, with the numbers behind it. Slopes are per hour; NaN when unknown.
 * {@code projectedOomSeconds} is infinite when no death is projected; {@code ceiling} names the one
 * projected first ({@link Projection#MEMORY_LIMIT} or {@link Projection#HEAP_MAX}), or is null.
 */
public record Verdict(VerdictKind kind, double heapBytesPerHour, double heapBytesPerHourLower, double heapPValue,
        double threadsPerHour, double threadsPerHourLower, double threadsPValue, double projectedOomSeconds,
        double latestThreads, double latestPeakBytes, int samples, String reason, double memoryBytesPerHour,
        String ceiling) {

    public static Verdict insufficient(int samples, String reason) {
        return new Verdict(VerdictKind.InsufficientData, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN, samples, reason, Double.NaN, null);
    }

    /** The same verdict, worded otherwise. */
    public Verdict withReason(String text) {
        return new Verdict(kind, heapBytesPerHour, heapBytesPerHourLower, heapPValue, threadsPerHour, threadsPerHourLower,
                threadsPValue, projectedOomSeconds, latestThreads, latestPeakBytes, samples, text, memoryBytesPerHour,
                ceiling);
    }
}
