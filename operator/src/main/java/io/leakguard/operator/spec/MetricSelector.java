package io.leakguard.operator.spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.leakguard.operator.exposition.Sample;

/**
 * A metric name with optional exact label matchers, as written in a policy: {@code jvm_memory_used_bytes{area="heap"}},
 * or {@code container_memory_working_set_bytes{container!="",container!="POD"}}.
 *
 * @param labels the labels that must equal a value
 * @param excluded label and value pairs a matching sample must not have (a missing label is the empty value, as
 *     in PromQL)
 */
public record MetricSelector(String name, Map<String, String> labels, List<Map.Entry<String, String>> excluded) {

    public MetricSelector(String name, Map<String, String> labels) {
        this(name, labels, List.of());
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    static final int MAX_LENGTH = 512;

    /**
     * Parses a selector exactly as the policy's validation does (it calls this): a metric name, then
     * optionally {@code {label="value",label!="value",...}} with values free of quotes, backslashes, commas and
     * braces.
     */
    public static MetricSelector parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a metric selector of " + text.length() + " characters is longer than "
                    + MAX_LENGTH);
        }
        int brace = text.indexOf('{');
        String name = (brace < 0 ? text : text.substring(0, brace)).trim();
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + text + "' does not start with a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
        }
        if (brace < 0) {
            return new MetricSelector(name, Map.of());
        }
        if (!text.endsWith("}")) {
            throw new IllegalArgumentException("'" + text + "' has an unterminated label set");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        List<Map.Entry<String, String>> excluded = new ArrayList<>();
        String body = text.substring(brace + 1, text.length() - 1).trim();
        if (!body.isEmpty()) {
            for (String matcher : body.split(",", -1)) {
                int eq = matcher.indexOf('=');
                boolean not = eq > 0 && matcher.charAt(eq - 1) == '!';
                String label = eq < 0 ? "" : matcher.substring(0, not ? eq - 1 : eq).trim();
                String value = eq < 0 ? "" : matcher.substring(eq + 1).trim();
                if (!LABEL.matcher(label).matches() || value.length() < 2 || !value.startsWith("\"")
                        || !value.endsWith("\"")) {
                    throw new IllegalArgumentException("'" + text
                            + "': write label matchers as name=\"value\" or name!=\"value\"");
                }
                String inner = value.substring(1, value.length() - 1);
                if (inner.chars().anyMatch(c -> c == '"' || c == '\\' || c == '{' || c == '}' || c < 0x20)) {
                    throw new IllegalArgumentException("'" + text + "': a label value may not hold quotes, backslashes,"
                            + " braces or control characters");
                }
                if (not) {
                    excluded.add(Map.entry(label, inner));
                } else if (labels.put(label, inner) != null) {
                    throw new IllegalArgumentException("'" + text + "' matches label " + label + " twice");
                }
            }
        }
        return new MetricSelector(name, Map.copyOf(labels), List.copyOf(excluded));
    }

    /** The same selector, narrowed to samples whose {@code label} is {@code value}. */
    public MetricSelector and(String label, String value) {
        Map<String, String> narrowed = new LinkedHashMap<>(labels);
        narrowed.put(label, value);
        return new MetricSelector(name, Map.copyOf(narrowed), excluded);
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
        for (Map.Entry<String, String> label : excluded) {
            if (label.getValue().equals(sample.labels().getOrDefault(label.getKey(), ""))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The sum of every matching sample (memory pools add up), each series counted once however many targets
     * it was scraped from, or NaN when none matches.
     */
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

    /**
     * Labels that say where a series was scraped from, not what it measures: two scrape jobs, or a sidecar
     * scraped as well, give the same series twice, and counting both would double a slope.
     */
    static final Set<String> TARGET_LABELS = Set.of("job", "instance", "endpoint", "service",
            "container", "prometheus", "prometheus_replica", "__replica__");

    private double sum(List<Sample> samples, double least) {
        double total = 0;
        int found = 0;
        Set<Map<String, String>> seen = null;
        for (Sample sample : samples) {
            if (!matches(sample) || sample.value() < least) {
                continue;
            }
            if (found > 0) {
                if (seen == null) {
                    seen = new HashSet<>();
                    for (Sample earlier : samples) {
                        if (earlier == sample) {
                            break;
                        }
                        if (matches(earlier) && earlier.value() >= least) {
                            seen.add(identity(earlier));
                        }
                    }
                }
                if (!seen.add(identity(sample))) {
                    continue; // the same series again, from another target
                }
            }
            total += sample.value();
            found++;
        }
        return found > 0 ? total : Double.NaN;
    }

    private static Map<String, String> identity(Sample sample) {
        Map<String, String> labels = new HashMap<>(sample.labels());
        labels.keySet().removeAll(TARGET_LABELS);
        return labels;
    }

    @Override
    public String toString() {
        if (labels.isEmpty() && excluded.isEmpty()) {
            return name;
        }
        StringBuilder out = new StringBuilder(name).append('{');
        labels.forEach((k, v) -> out.append(out.charAt(out.length() - 1) == '{' ? "" : ",").append(k).append("=\"")
                .append(v).append('"'));
        excluded.forEach(e -> out.append(out.charAt(out.length() - 1) == '{' ? "" : ",").append(e.getKey())
                .append("!=\"").append(e.getValue()).append('"'));
        return out.append('}').toString();
    }
}
