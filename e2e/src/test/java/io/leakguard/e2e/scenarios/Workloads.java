package io.leakguard.e2e.scenarios;

import java.util.List;
import java.util.function.IntFunction;

import io.leakguard.e2e.harness.LeakyWorkload;

/** The commands of the scenarios' pods, and the policy they share, tuned so a leak meets the kernel in minutes. */
public final class Workloads {

    /** Each pod's memory limit, enforced by its cgroup. */
    static final long LIMIT = 160L * 1024 * 1024;

    private Workloads() {
    }

    /**
     * Pod 0 leaks 30 goroutines a second, each blocked on a channel send holding 8 KiB (about 0.35 MiB/s
     * with its stack), so the kernel kills it at 160 MiB about 7 to 8 minutes after it starts; every other
     * pod (its sibling, its replacements) is a healthy service whose heap draws a flat sawtooth.
     */
    static IntFunction<List<String>> firstLeaks() throws Exception {
        String binary = LeakyWorkload.binary().toString();
        return index -> index == 0 ? leaking(binary) : healthy(binary);
    }

    static IntFunction<List<String>> allHealthy() throws Exception {
        String binary = LeakyWorkload.binary().toString();
        return index -> healthy(binary);
    }

    private static final List<String> LEAKING = List.of("-leak-goroutines-per-second", "30", "-leak-bytes-per-goroutine", "8192");
    private static final List<String> HEALTHY = List.of("-garbage-kib-per-second", "2000");

    /** As {@link #firstLeaks()}, the flags only: the harness node runs the binary for the pod's image. */
    static IntFunction<List<String>> firstLeaksFlags() {
        return index -> index == 0 ? LEAKING : HEALTHY;
    }

    static IntFunction<List<String>> allHealthyFlags() {
        return index -> HEALTHY;
    }

    private static List<String> leaking(String binary) {
        List<String> argv = new java.util.ArrayList<>(List.of(binary));
        argv.addAll(LEAKING);
        return argv;
    }

    private static List<String> healthy(String binary) {
        List<String> argv = new java.util.ArrayList<>(List.of(binary));
        argv.addAll(HEALTHY);
        return argv;
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
