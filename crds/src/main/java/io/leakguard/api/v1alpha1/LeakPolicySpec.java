package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** What a LeakPolicy asks for: which pods, how to read them, when to judge them leaking, what to do. */
@ValidationRule(value = "(has(self.selector.matchLabels) && size(self.selector.matchLabels) > 0)"
        + " || (has(self.selector.matchExpressions) && size(self.selector.matchExpressions) > 0)",
        message = "spec.selector must have at least one matchLabels entry or matchExpressions entry:"
                + " an empty selector would select every pod in the namespace",
        fieldPath = ".selector", reason = "FieldValueRequired")
@ValidationRule(value = "self.runtime != 'Custom' || (has(self.metrics) && has(self.metrics.names)"
        + " && has(self.metrics.names.threads) && has(self.metrics.names.heapBaseline))",
        message = "runtime Custom needs spec.metrics.names.threads and spec.metrics.names.heapBaseline:"
                + " there is no built-in metric name to fall back on",
        fieldPath = ".metrics", reason = "FieldValueRequired")
@ValidationRule(value = "!has(self.diagnostics) || !has(self.diagnostics.threadDump)"
        + " || !has(self.diagnostics.threadDump.source)"
        + " || (self.diagnostics.threadDump.source != 'GoPprof' || self.runtime == 'Go')"
        + " && (self.diagnostics.threadDump.source != 'JvmJcmd' || self.runtime == 'JVM')",
        message = "spec.diagnostics.threadDump.source GoPprof needs runtime Go, and JvmJcmd needs runtime JVM",
        fieldPath = ".diagnostics.threadDump.source")
public class LeakPolicySpec {

    @Required
    @JsonPropertyDescription("Selects the pods, in the LeakPolicy's namespace, that this policy watches."
            + " A standard label selector; it must not be empty.")
    public LabelSelector selector;

    @Required
    @JsonPropertyDescription("Runtime of the watched containers: Go, JVM or Custom. It picks the default"
            + " metric names and the dump source. Custom needs metrics.names.")
    public Runtime runtime;

    @Default("{}")
    @JsonPropertyDescription("Where and how often samples are read.")
    public MetricsSpec metrics = new MetricsSpec();

    @Default("{}")
    @JsonPropertyDescription("How a trend is judged: the window it is fitted over, how sure it must be,"
            + " and how far ahead of the projected OOM LeakGuard acts.")
    public DetectionSpec detection = new DetectionSpec();

    @Default("{}")
    @JsonPropertyDescription("The thread or goroutine dump taken before a restart, and how many are kept.")
    public DiagnosticsSpec diagnostics = new DiagnosticsSpec();

    @Default("{}")
    @JsonPropertyDescription("What LeakGuard may do to a Leaking pod, and the budgets that bound it.")
    public RemediationSpec remediation = new RemediationSpec();

    @Default("{}")
    @JsonPropertyDescription("Where LeakGuard reports: Slack, Alertmanager and Kubernetes Events.")
    public AlertingSpec alerting = new AlertingSpec();
}
