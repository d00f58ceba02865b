package io.leakguard.operator.sampling;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.leakguard.operator.exposition.Sample;

/** A metric name with optional exact label matchers, as written in a policy: {@code jvm_memory_used_bytes{area="heap"}}. */
public record MetricSelector(String name, Map<String, String> labels) {

    public static MetricSelector parse(String text) {
        int brace = text.indexOf('{');
        if (brace < 0) {
            return new MetricSelector(text.trim(), Map.of());
        }
        if (!text.endsWith("}")) {
            throw new IllegalArgumentException("'" + text + "' has an unterminated label set");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        String body = text.substring(brace + 1, text.length() - 1).trim();
        if (!body.isEmpty()) {
            for (String matcher : body.split(",")) {
                int eq = matcher.indexOf('=');
                String value = eq < 0 ? "" : matcher.substring(eq + 1).trim();
                if (eq < 0 || value.length() < 2 || !value.startsWith("\"") || !value.endsWith("\"")) {
                    throw new IllegalArgumentException("'" + text + "': write label matchers as name=\"value\"");
                }
                labels.put(matcher.substring(0, eq).trim(), value.substring(1, value.length() - 1));
            }
        }
        return new MetricSelector(text.substring(0, brace).trim(), Map.copyOf(labels));
    }

    public boolean matches(Sample sample) {
        if (!name.equals(sample.name())) {
            return false;
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            if (!label.getValue().equals(sample.labels().get(label.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The sum of every matching sample (memory pools add up), or NaN when none matches. */
    public double sum(List<Sample> samples) {
        return sum(samples, Double.NEGATIVE_INFINITY);
    }

    /**
     * The sum of the matching samples that are not negative, or NaN if none: memory pools that have
     * no max report -1 (G1's eden and survivor spaces), and must not lower the heap's max.
     */
    public double sumNonNegative(List<Sample> samples) {
        return sum(samples, 0);
    }

    private double sum(List<Sample> samples, double least) {
        double total = 0;
        boolean found = false;
        for (Sample sample : samples) {
            if (matches(sample) && sample.value() >= least) {
                total += sample.value();
                found = true;
            }
        }
        return found ? total : Double.NaN;
    }

    @Override
    public String toString() {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder out = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> out.append(out.charAt(out.length() - 1) == '{' ? "" : ",").append(k).append("=\"")
                .append(v).append('"'));
        return out.append('}').toString();
    }
}
