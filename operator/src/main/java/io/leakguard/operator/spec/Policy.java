package io.leakguard.operator.spec;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.leakguard.api.v1alpha1.AlertingSpec;
import io.leakguard.api.v1alpha1.DetectionSpec;
import io.leakguard.api.v1alpha1.DumpSource;
import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.api.v1alpha1.MetricNames;
import io.leakguard.api.v1alpha1.MetricsSource;
import io.leakguard.api.v1alpha1.RemediationAction;
import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.api.v1alpha1.Scheme;
import io.leakguard.api.v1alpha1.SecretKeyRef;
import io.leakguard.api.v1alpha1.ThreadDumpSpec;

/**
 * A LeakPolicy's spec parsed once, when it is reconciled: typed values in a slice per component, so nothing
 * below the controller parses a duration or a size again. Made only from a spec that passed
 * {@link PolicyValidator}.
 */
public record Policy(Runtime runtime, Sampling sampling, Detection detection, Dumps dumps, Remediation remediation,
        AlertingSpec alerting) {

    /**
     * What the detector is told; a missing thread ceiling or growth limit is infinite.
     *
     * @param provenLeakGoroutines proven leaked goroutines that make a Go pod Leaking; 0 when the policy does not act on them
     */
    public record Detection(Duration window, Duration horizon, double confidence, int minSamples, Duration warmup,
            double maxThreadGrowthPerHour, double maxThreads, int provenLeakGoroutines) {

        public static Detection of(DetectionSpec d) {
            return new Detection(GoDuration.parse(d.window), GoDuration.parse(d.horizon), d.confidence, d.minSamples,
                    GoDuration.parse(d.warmup),
                    d.maxThreadGrowthPerHour == null ? Double.POSITIVE_INFINITY : d.maxThreadGrowthPerHour,
                    d.maxThreads == null ? Double.POSITIVE_INFINITY : d.maxThreads,
                    d.provenLeakGoroutines == null ? 0 : d.provenLeakGoroutines);
        }
    }

    /** How the pods are read. {@code prometheusUrl} and {@code bearerToken} only for source Prometheus. */
    public record Sampling(MetricsSource source, Duration interval, Duration timeout, Scheme scheme, String path,
            IntOrString port, MetricNames names, String prometheusUrl, SecretKeyRef bearerToken) {
    }

    /**
     * How dumps are taken and kept; {@code source} is null for runtime Custom without one.
     *
     * @param pyroscopeUrl where a Go pod's profiles are pushed with its dump, or null
     * @param pyroscopeApplication their service_name, or null for NAMESPACE.POLICY
     */
    public record Dumps(boolean enabled, DumpSource source, String path, IntOrString port, Duration timeout,
            int maxBytes, Set<String> ignoredTopFunctions, int retain, String pyroscopeUrl, String pyroscopeApplication) {
    }

    /** What the planner may do. */
    public record Remediation(RemediationAction action, boolean dryRun, int maxConcurrent, Duration cooldown,
            int maxPerHour) {
    }

    /** Parses a validated spec; an invalid one throws {@link IllegalArgumentException}. */
    public static Policy of(LeakPolicySpec spec) {
        var metrics = spec.metrics;
        Sampling sampling = new Sampling(metrics.source, GoDuration.parse(metrics.interval),
                GoDuration.parse(metrics.timeout), metrics.scheme, metrics.path, metrics.port, metrics.names,
                metrics.prometheus == null ? null : metrics.prometheus.url,
                metrics.prometheus == null ? null : metrics.prometheus.bearerTokenSecretRef);
        ThreadDumpSpec dump = spec.diagnostics.threadDump;
        var pyroscope = spec.diagnostics.pyroscope;
        Dumps dumps = dump == null ? new Dumps(false, null, null, null, Duration.ZERO, 0, Set.of(), 1, null, null)
                : new Dumps(!Boolean.FALSE.equals(dump.enabled), dumpSource(dump.source, spec.runtime), dump.path,
                        dump.port, GoDuration.parse(dump.timeout),
                        (int) Math.min(Integer.MAX_VALUE - 8, Quantity.getAmountInBytes(new Quantity(dump.maxBytes)).longValue()),
                        Set.copyOf(spec.diagnostics.ignoreTopFunctions == null ? List.of()
                                : spec.diagnostics.ignoreTopFunctions),
                        spec.diagnostics.retain == null ? 10 : spec.diagnostics.retain,
                        pyroscope == null ? null : pyroscope.url, pyroscope == null ? null : pyroscope.application);
        var r = spec.remediation;
        Remediation remediation = new Remediation(r.action, Boolean.TRUE.equals(r.dryRun), r.maxConcurrent,
                GoDuration.parse(r.cooldown), r.maxPerHour);
        return new Policy(spec.runtime, sampling, Detection.of(spec.detection), dumps, remediation, spec.alerting);
    }

    private static DumpSource dumpSource(DumpSource asked, Runtime runtime) {
        return asked != null ? asked : runtime == Runtime.JVM ? DumpSource.JvmJcmd
                : runtime == Runtime.Go ? DumpSource.GoPprof : null;
    }
}
