package io.leakguard.operator.detection;

/**
 * The judgement on one pod, with the numbers behind it. Slopes are per hour; NaN when unknown.
 * {@code projectedOomSeconds} is infinite when no OOM is projected.
 */
public record Verdict(VerdictKind kind, double heapBytesPerHour, double heapBytesPerHourLower, double heapPValue,
        double threadsPerHour, double threadsPerHourLower, double threadsPValue, double projectedOomSeconds,
        double latestThreads, double latestPeakBytes, int samples, String reason) {

    public static Verdict insufficient(int samples, String reason) {
        return new Verdict(VerdictKind.InsufficientData, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN, samples, reason);
    }
}
