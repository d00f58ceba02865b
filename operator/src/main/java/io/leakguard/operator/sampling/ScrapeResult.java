package io.leakguard.operator.sampling;

import io.leakguard.operator.series.Gauges;

/** The outcome of reading one pod: a reading, or why there is none. Never both. */
public record ScrapeResult(Gauges reading, String error, String outcome, long durationNanos) {

    public static ScrapeResult ok(Gauges reading, long durationNanos) {
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
