package io.leakguard.operator.spec;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

/** Pure: a policy's pod selector, checked as the API server checks label selectors, and never empty. */
final class SelectorChecks {

    private static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)");
    private static final Pattern LABEL_PREFIX = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

    private SelectorChecks() {
    }

    static void check(LabelSelector selector, List<String> problems) {
        if (selector == null || PodSelector.of(selector).isEmpty()) {
            problems.add("spec.selector is empty: it would select every pod in the namespace;"
                    + " add matchLabels or matchExpressions");
            return;
        }
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> label : selector.getMatchLabels().entrySet()) {
                checkLabelKey("spec.selector.matchLabels", label.getKey(), problems);
                checkLabelValue("spec.selector.matchLabels[" + label.getKey() + "]", label.getValue(), problems);
            }
        }
        List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
        for (int i = 0; expressions != null && i < expressions.size(); i++) {
            String at = "spec.selector.matchExpressions[" + i + "]";
            LabelSelectorRequirement requirement = expressions.get(i);
            checkLabelKey(at + ".key", requirement.getKey(), problems);
            String operator = requirement.getOperator();
            List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
            if (!OPERATORS.contains(operator)) {
                problems.add(at + ".operator '" + operator + "' is not one of In, NotIn, Exists, DoesNotExist");
            } else if ((operator.equals("In") || operator.equals("NotIn")) && values.isEmpty()) {
                problems.add(at + ".values must not be empty for operator " + operator);
            } else if ((operator.equals("Exists") || operator.equals("DoesNotExist")) && !values.isEmpty()) {
                problems.add(at + ".values must be empty for operator " + operator);
            }
            values.forEach(value -> checkLabelValue(at + ".values", value, problems));
        }
    }

    private static void checkLabelKey(String field, String key, List<String> problems) {
        if (key == null || key.isEmpty()) {
            problems.add(field + " has an empty label key");
            return;
        }
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.length() > 253 || !LABEL_PREFIX.matcher(prefix).matches()) {
                problems.add(field + " key '" + key + "' has an invalid prefix: it must be a DNS subdomain such as example.com");
                return;
            }
        }
        if (name.length() > 63 || !LABEL_NAME.matcher(name).matches()) {
            problems.add(field + " key '" + key + "' is not a valid label name: at most 63 characters,"
                    + " alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");
        }
    }

    private static void checkLabelValue(String field, String value, List<String> problems) {
        if (value == null || value.isEmpty()) {
            return;
        }
        if (value.length() > 63 || !LABEL_NAME.matcher(value).matches()) {
            problems.add(field + " value '" + value + "' is not a valid label value: at most 63 characters,"
                    + " alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");
        }
    }
}
