package io.leakguard.operator.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.leakguard.operator.spec.PodSelector;
import org.junit.jupiter.api.Test;

class PodSelectorTest {

    private static final Map<String, String> CHECKOUT_WEB = Map.of("app", "checkout", "tier", "web");

    @Test
    void matchLabelsNeedsEveryLabel() {
        PodSelector selector = PodSelector.of(new LabelSelectorBuilder().addToMatchLabels("app", "checkout")
                .addToMatchLabels("tier", "web").build());
        assertThat(selector.matches(CHECKOUT_WEB)).isTrue();
        assertThat(selector.matches(Map.of("app", "checkout"))).isFalse();
        assertThat(selector.matches(null)).isFalse();
    }

    @Test
    void expressionsFollowKubernetesSemantics() {
        assertThat(expression("tier", "In", "web", "api").matches(CHECKOUT_WEB)).isTrue();
        assertThat(expression("tier", "In", "api").matches(CHECKOUT_WEB)).isFalse();
        assertThat(expression("tier", "NotIn", "web").matches(CHECKOUT_WEB)).isFalse();
        assertThat(expression("track", "NotIn", "canary").matches(CHECKOUT_WEB)).as("NotIn matches an absent label").isTrue();
        assertThat(expression("tier", "Exists").matches(CHECKOUT_WEB)).isTrue();
        assertThat(expression("track", "Exists").matches(CHECKOUT_WEB)).isFalse();
        assertThat(expression("track", "DoesNotExist").matches(CHECKOUT_WEB)).isTrue();
    }

    @Test
    void anEmptyOrMissingSelectorMatchesNothingRatherThanEverything() {
        assertThat(PodSelector.of(null).matches(CHECKOUT_WEB)).isFalse();
        assertThat(PodSelector.of(new LabelSelector()).matches(CHECKOUT_WEB)).isFalse();
    }

    @Test
    void anUnknownOperatorMatchesNothing() {
        assertThat(expression("tier", "Contains", "we").matches(CHECKOUT_WEB)).isFalse();
    }

    private static PodSelector expression(String key, String operator, String... values) {
        return PodSelector.of(new LabelSelectorBuilder().addNewMatchExpression().withKey(key).withOperator(operator)
                .withValues(values).endMatchExpression().build());
    }
}
