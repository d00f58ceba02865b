package io.leakguard.operator.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Quantity;
import io.leakguard.api.v1alpha1.AlertingSpec;
import io.leakguard.api.v1alpha1.DetectionSpec;
import io.leakguard.api.v1alpha1.DiagnosticsSpec;
import io.leakguard.api.v1alpha1.DumpSource;
import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.api.v1alpha1.MetricsSource;
import io.leakguard.api.v1alpha1.MetricsSpec;
import io.leakguard.api.v1alpha1.PyroscopeSpec;
import io.leakguard.api.v1alpha1.RemediationSpec;
import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.api.v1alpha1.ThreadDumpSpec;
import io.leakguard.operator.http.EgressRules;

/**
 * Checks what the CRD schema cannot (label syntax, URLs, how fields relate), and re-checks the
 * schema's cross-field CEL rules, because API servers older than 1.25 do not run them and the
 * operator must never act on a policy it cannot read. Pure: a spec in, a list of problems out.
 */
public final class PolicyValidator {

    static final long MIN_DUMP_BYTES = 64 * 1024L;
    /** The largest dump the operator reads (threadDump.maxBytes at most), and the offline analyze too. */
    public static final long MAX_DUMP_BYTES = 16L * 1024 * 1024;

    private PolicyValidator() {
    }

    /** As {@link #validate(LeakPolicySpec, EgressRules)} with no egress rule: for the offline commands. */
    public static List<String> validate(LeakPolicySpec spec) {
        return validate(spec, EgressRules.ANY);
    }

    /** A spec's problems, or, when it has none, the policy parsed from it. */
    public record Parsed(List<String> problems, Policy policy) {
    }

    /** Validates, then parses once: the problems, or the typed policy. */
    public static Parsed parse(LeakPolicySpec spec, EgressRules egress) {
        List<String> problems = validate(spec, egress);
        if (!problems.isEmpty()) {
            return new Parsed(problems, null);
        }
        try {
            return new Parsed(List.of(), Policy.of(spec));
        } catch (RuntimeException e) {
            return new Parsed(List.of("spec could not be parsed: " + e.getMessage()), null);
        }
    }

    /**
     * Returns every problem found, each naming the field and saying what to do; empty when the spec is usable.
     * URLs must also pass the operator's {@code egress} rules.
     */
    public static List<String> validate(LeakPolicySpec spec, EgressRules egress) {
        List<String> problems = new ArrayList<>();
        if (spec == null) {
            problems.add("spec is missing: a LeakPolicy needs at least spec.selector and spec.runtime");
            return problems;
        }
        SelectorChecks.check(spec.selector, problems);
        if (spec.metrics == null || spec.detection == null || spec.diagnostics == null || spec.remediation == null) {
            problems.add("spec." + (spec.metrics == null ? "metrics" : spec.detection == null ? "detection"
                    : spec.diagnostics == null ? "diagnostics" : "remediation")
                    + " is null: leave the field out to take its defaults, or give it an object");
            return problems;
        }
        if (spec.runtime == null) {
            problems.add("spec.runtime is missing: set Go, JVM or Custom");
        }
        checkMetrics(spec.metrics, spec.runtime, egress, problems);
        checkDetection(spec.detection, spec.metrics, problems);
        checkProvenLeaks(spec, problems);
        checkDiagnostics(spec.diagnostics, spec.runtime, problems);
        checkRemediation(spec.remediation, problems);
        checkAlerting(spec.alerting, egress, problems);
        checkPyroscope(spec, egress, problems);
        return problems;
    }

    private static void checkMetrics(MetricsSpec metrics, Runtime runtime, EgressRules egress, List<String> problems) {
        if (metrics == null) {
            return;
        }
        Duration interval = FieldChecks.duration("spec.metrics.interval", metrics.interval, problems);
        Duration timeout = FieldChecks.duration("spec.metrics.timeout", metrics.timeout, problems);
        if (interval != null && (interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0)) {
            problems.add("spec.metrics.interval " + metrics.interval + " is outside 1s to 1h");
        }
        if (interval != null && timeout != null && timeout.compareTo(interval) > 0) {
            problems.add("spec.metrics.timeout " + metrics.timeout + " is longer than spec.metrics.interval "
                    + metrics.interval + "; lower the timeout or raise the interval");
        }
        FieldChecks.port("spec.metrics.port", metrics.port, problems);
        if (metrics.source == MetricsSource.Prometheus) {
            if (metrics.prometheus == null || metrics.prometheus.url == null) {
                problems.add("spec.metrics.prometheus.url is required when spec.metrics.source is Prometheus");
            } else {
                FieldChecks.httpUrl("spec.metrics.prometheus.url", metrics.prometheus.url, egress, problems);
            }
        }
        if (metrics.names != null) {
            FieldChecks.metricSelector("spec.metrics.names.threads", metrics.names.threads, problems);
            FieldChecks.metricSelector("spec.metrics.names.heapBaseline", metrics.names.heapBaseline, problems);
            FieldChecks.metricSelector("spec.metrics.names.memory", metrics.names.memory, problems);
            FieldChecks.metricSelector("spec.metrics.names.heapMax", metrics.names.heapMax, problems);
            FieldChecks.metricSelector("spec.metrics.names.heapCommitted", metrics.names.heapCommitted, problems);
            FieldChecks.metricSelector("spec.metrics.names.allocated", metrics.names.allocated, problems);
        }
        if (runtime == Runtime.Custom
                && (metrics.names == null || metrics.names.threads == null || metrics.names.heapBaseline == null)) {
            problems.add("runtime Custom needs spec.metrics.names.threads and spec.metrics.names.heapBaseline:"
                    + " there is no built-in metric name to fall back on");
        }
    }

    private static void checkDetection(DetectionSpec detection, MetricsSpec metrics, List<String> problems) {
        if (detection == null) {
            return;
        }
        Duration window = FieldChecks.duration("spec.detection.window", detection.window, problems);
        FieldChecks.duration("spec.detection.horizon", detection.horizon, problems);
        FieldChecks.duration("spec.detection.warmup", detection.warmup, problems);
        Duration interval = metrics == null ? null : FieldChecks.quietDuration(metrics.interval);
        if (window != null && interval != null && !interval.isZero() && detection.minSamples != null) {
            long possible = window.dividedBy(interval);
            if (possible < detection.minSamples) {
                problems.add("spec.detection.window " + detection.window + " at spec.metrics.interval "
                        + metrics.interval + " holds at most " + possible + " samples, fewer than"
                        + " spec.detection.minSamples " + detection.minSamples
                        + "; widen the window, sample more often or lower minSamples");
            }
        }
        if (detection.confidence != null && (detection.confidence < 0.5 || detection.confidence >= 1.0)) {
            problems.add("spec.detection.confidence " + detection.confidence + " must be at least 0.5 and below 1");
        }
    }

    /** Acting on the Go leak profile needs a Go pod and the pprof endpoint it is served on. */
    private static void checkProvenLeaks(LeakPolicySpec spec, List<String> problems) {
        if (spec.detection == null || spec.detection.provenLeakGoroutines == null) {
            return;
        }
        if (spec.runtime != Runtime.Go) {
            problems.add("spec.detection.provenLeakGoroutines is for Go pods only (the runtime's goroutine leak"
                    + " profile); remove it or set spec.runtime to Go");
            return;
        }
        ThreadDumpSpec dump = spec.diagnostics == null ? null : spec.diagnostics.threadDump;
        if (dump != null && (dump.source != null && dump.source != DumpSource.GoPprof || Boolean.FALSE.equals(dump.enabled))) {
            problems.add("spec.detection.provenLeakGoroutines reads the leak profile on the pprof endpoint of"
                    + " spec.diagnostics.threadDump: enable it with source GoPprof");
        }
    }

    /** Profiles pushed to Pyroscope come from a Go pod's pprof endpoint, to a URL the egress rules allow. */
    private static void checkPyroscope(LeakPolicySpec spec, EgressRules egress, List<String> problems) {
        PyroscopeSpec pyroscope = spec.diagnostics == null ? null : spec.diagnostics.pyroscope;
        if (pyroscope == null) {
            return;
        }
        if (pyroscope.url == null || pyroscope.url.isBlank()) {
            problems.add("spec.diagnostics.pyroscope.url is required: the base URL of the Pyroscope server");
        } else {
            FieldChecks.httpUrl("spec.diagnostics.pyroscope.url", pyroscope.url, egress, problems);
        }
        ThreadDumpSpec dump = spec.diagnostics.threadDump;
        if (spec.runtime != Runtime.Go
                || dump != null && (dump.source != null && dump.source != DumpSource.GoPprof || Boolean.FALSE.equals(dump.enabled))) {
            problems.add("spec.diagnostics.pyroscope pushes a Go pod's pprof profiles: it needs spec.runtime Go and"
                    + " spec.diagnostics.threadDump enabled with source GoPprof");
        }
    }

    private static void checkDiagnostics(DiagnosticsSpec diagnostics, Runtime runtime, List<String> problems) {
        if (diagnostics == null || diagnostics.threadDump == null) {
            return;
        }
        ThreadDumpSpec dump = diagnostics.threadDump;
        FieldChecks.duration("spec.diagnostics.threadDump.timeout", dump.timeout, problems);
        FieldChecks.port("spec.diagnostics.threadDump.port", dump.port, problems);
        if (dump.source == DumpSource.Http && dump.path == null) {
            problems.add("spec.diagnostics.threadDump.path is required when source is Http");
        }
        if (dump.source == DumpSource.GoPprof && runtime != null && runtime != Runtime.Go) {
            problems.add("spec.diagnostics.threadDump.source GoPprof needs runtime Go");
        }
        if (dump.source == DumpSource.JvmJcmd && runtime != null && runtime != Runtime.JVM) {
            problems.add("spec.diagnostics.threadDump.source JvmJcmd needs runtime JVM");
        }
        if (dump.maxBytes != null) {
            try {
                long bytes = Quantity.getAmountInBytes(new Quantity(dump.maxBytes)).longValueExact();
                if (bytes < MIN_DUMP_BYTES || bytes > MAX_DUMP_BYTES) {
                    problems.add("spec.diagnostics.threadDump.maxBytes " + dump.maxBytes + " is outside 64Ki to 16Mi: the operator is shared,"
                            + " and a dump takes several times its size in memory while it is read");
                }
            } catch (RuntimeException e) {
                problems.add("spec.diagnostics.threadDump.maxBytes '" + dump.maxBytes + "' is not a quantity such as 8Mi");
            }
        }
        List<String> ignored = diagnostics.ignoreTopFunctions == null ? List.of() : diagnostics.ignoreTopFunctions;
        for (int i = 0; i < ignored.size(); i++) {
            if (ignored.get(i) == null || ignored.get(i).isBlank()) {
                problems.add("spec.diagnostics.ignoreTopFunctions[" + i + "] is blank; name a function such as"
                        + " main.(*Pool).worker");
            }
        }
    }

    private static void checkRemediation(RemediationSpec remediation, List<String> problems) {
        if (remediation == null) {
            return;
        }
        Duration cooldown = FieldChecks.duration("spec.remediation.cooldown", remediation.cooldown, problems);
        if (cooldown != null && cooldown.compareTo(Duration.ofMinutes(1)) < 0) {
            problems.add("spec.remediation.cooldown " + remediation.cooldown + " is shorter than 1m");
        }
        if (remediation.maxConcurrent != null && remediation.maxConcurrent < 1) {
            problems.add("spec.remediation.maxConcurrent must be at least 1; use action None to stop restarts");
        }
        if (remediation.maxPerHour != null && remediation.maxPerHour < 1) {
            problems.add("spec.remediation.maxPerHour must be at least 1; use action None to stop restarts");
        }
    }

    private static void checkAlerting(AlertingSpec alerting, EgressRules egress, List<String> problems) {
        if (alerting == null) {
            return;
        }
        if (alerting.alertmanager != null) {
            List<String> urls = alerting.alertmanager.urls == null ? List.of() : alerting.alertmanager.urls;
            if (urls.isEmpty()) {
                problems.add("spec.alerting.alertmanager.urls is empty: list at least one Alertmanager, or remove"
                        + " spec.alerting.alertmanager");
            }
            for (int i = 0; i < urls.size(); i++) {
                FieldChecks.httpUrl("spec.alerting.alertmanager.urls[" + i + "]", urls.get(i), egress, problems);
            }
        }
        if (alerting.slack != null && (alerting.slack.webhookSecretRef == null
                || alerting.slack.webhookSecretRef.name == null || alerting.slack.webhookSecretRef.key == null)) {
            problems.add("spec.alerting.slack.webhookSecretRef needs a name and a key");
        }
    }

}
