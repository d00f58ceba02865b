package io.leakguard.operator.spec;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.leakguard.operator.http.EgressRules;

/** Pure: one field of a policy checked, each problem added in words that name the field and what to do. */
final class FieldChecks {

    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private FieldChecks() {
    }

    static void port(String field, IntOrString port, List<String> problems) {
        if (port == null) {
            return;
        }
        if (port.getIntVal() != null) {
            if (port.getIntVal() < 1 || port.getIntVal() > 65535) {
                problems.add(field + " " + port.getIntVal() + " is not a port number between 1 and 65535");
            }
            return;
        }
        String name = port.getStrVal();
        if (name == null || name.length() > 15 || !PORT_NAME.matcher(name).matches() || name.contains("--")
                || name.chars().noneMatch(Character::isLetter)) {
            problems.add(field + " '" + name + "' is not a container port name (1 to 15 lower-case letters, digits"
                    + " and '-', with at least one letter); write a number without quotes for a port number");
        }
    }

    static void httpUrl(String field, String url, EgressRules egress, List<String> problems) {
        String refusal = egress.refusal(url);
        if (refusal != null) {
            // Never repeat credentials written into a URL: status and logs are read by more people than the Secret.
            problems.add(field + " '" + url.replaceFirst("(?<=://)[^/?#@]*@", "***@") + "' " + refusal);
        }
    }

    static Duration duration(String field, String text, List<String> problems) {
        if (text == null) {
            return null;
        }
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(field + ": " + e.getMessage());
            return null;
        }
    }

    static Duration quietDuration(String text) {
        try {
            return text == null ? null : GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Parsed exactly as sampling will parse it, so that a selector that passes here is one that samples. */
    static void metricSelector(String field, String selector, List<String> problems) {
        if (selector == null) {
            return;
        }
        try {
            MetricSelector.parse(selector);
        } catch (IllegalArgumentException e) {
            problems.add(field + ": " + e.getMessage());
        }
    }
}
