package io.leakguard.e2e.scenarios;

import java.util.List;
import java.util.function.IntFunction;

/** The commands of the scenarios' pods, and the policy they share, tuned so a leak meets the kernel in minutes. */
public final class Workloads {

    /** Each pod's memory limit, enforced by its cgroup. */
    static final long LIMIT = 160L * 1024 * 1024;

    private Workloads() {
    }

    private static final List<String> LEAKING = List.of("-leak-goroutines-per-second", "30", "-leak-bytes-per-goroutine", "8192");
    private static final List<String> HEALTHY = List.of("-garbage-kib-per-second", "2000");

    /**
     * The flags of the leaky Go workload, by pod: pod 0 leaks 30 goroutines a second, each blocked on a
     * channel send holding 8 KiB (about 0.35 MiB/s with its stack), so the kernel kills it at 160 MiB
     * about 7 to 8 minutes after it starts; every other pod (its sibling, its replacements) is a healthy
     * service whose heap draws a flat sawtooth.
     */
    static IntFunction<List<String>> firstLeaksFlags() {
        return index -> index == 0 ? LEAKING : HEALTHY;
    }

    static IntFunction<List<String>> allHealthyFlags() {
        return index -> HEALTHY;
    }

    /**
     * A policy for the app "checkout" in {@code namespace}, with a short window and interval so that a
     * test sees verdicts within minutes; {@code remediation} and {@code metrics} are YAML flow mappings
     * merged into the defaults.
     */
    public static String policy(String namespace, String metrics, String remediation, String alerting) {
        return """
                apiVersion: leakguard.io/v1alpha1
                kind: LeakPolicy
                metadata: {name: checkout, namespace: %s}
                spec:
                  selector: {matchLabels: {app: checkout}}
                  runtime: Go
                  metrics: {interval: 2s, timeout: 1s%s}
                  detection: {window: 5m, horizon: 2m, minSamples: 10, warmup: 0s}
                  remediation: {cooldown: 1m, maxPerHour: 10%s}
                  alerting: %s
                """.formatted(namespace, metrics.isEmpty() ? "" : ", " + metrics,
                remediation.isEmpty() ? "" : ", " + remediation, alerting);
    }
}
