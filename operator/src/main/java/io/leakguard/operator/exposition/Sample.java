package io.leakguard.operator.exposition;

import java.util.Map;

/** One sample line of a Prometheus or OpenMetrics exposition. */
public record Sample(String name, Map<String, String> labels, double value) {
}
