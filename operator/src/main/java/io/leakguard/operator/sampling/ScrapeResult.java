package io.leakguard.operator.sampling;

/** The outcome of reading one pod: a reading, or why there is none. Never both. */
public record ScrapeResult(RuntimeProfile.Reading reading, String error, String outcome, long durationNanos) {

    public static ScrapeResult ok(RuntimeProfile.Reading reading, long durationNanos) {
        return new ScrapeResult(reading, null, "ok", durationNanos);
    }

    /** @param outcome a short label for metrics: timeout, http_error, too_large, unparsable, no_gauges, unreachable */
    public static ScrapeResult failed(String outcome, String error, long durationNanos) {
        return new ScrapeResult(null, error, outcome, durationNanos);
    }

    public boolean succeeded() {
        return reading != null;
    }
}
