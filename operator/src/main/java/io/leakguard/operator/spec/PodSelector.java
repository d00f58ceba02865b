package io.leakguard.operator.spec;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.leakguard.operator.spec.PolicyValidator;

/**
 * Matches pod labels against a LeakPolicy's label selector, with the Kubernetes semantics.
 * The informer cache is filtered in memory, so fabric8's server-side selector support does not apply.
 * A selector that would match everything (null or empty) matches nothing: the policy is then invalid.
 */
public final class PodSelector {

    private final Map<String, String> matchLabels;
    private final List<LabelSelectorRequirement> matchExpressions;

    private PodSelector(Map<String, String> matchLabels, List<LabelSelectorRequirement> matchExpressions) {
        this.matchLabels = matchLabels == null ? Map.of() : matchLabels;
        this.matchExpressions = matchExpressions == null ? List.of() : matchExpressions;
    }

    public static PodSelector of(LabelSelector selector) {
        return selector == null ? new PodSelector(null, null)
                : new PodSelector(selector.getMatchLabels(), selector.getMatchExpressions());
    }

    public boolean isEmpty() {
        return matchLabels.isEmpty() && matchExpressions.isEmpty();
    }

    public boolean matches(Map<String, String> labels) {
        if (isEmpty()) {
            return false;
        }
        Map<String, String> actual = labels == null ? Map.of() : labels;
        for (Map.Entry<String, String> wanted : matchLabels.entrySet()) {
            if (!wanted.getValue().equals(actual.get(wanted.getKey()))) {
                return false;
            }
        }
        for (LabelSelectorRequirement requirement : matchExpressions) {
            if (!satisfies(requirement, actual)) {
                return false;
            }
        }
        return true;
    }

    private static boolean satisfies(LabelSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        Set<String> values = requirement.getValues() == null ? Set.of() : Set.copyOf(requirement.getValues());
        return switch (requirement.getOperator() == null ? "" : requirement.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            // An unknown operator is reported by PolicyValidator; matching nothing is the safe answer.
            default -> false;
        };
    }
}
