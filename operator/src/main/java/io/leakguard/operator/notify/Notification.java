package io.leakguard.operator.notify;

import java.util.List;
import java.util.Map;

/**
 * One thing worth telling a team: a pod found leaking, restarted, or held back, with the numbers and
 * the evidence. Built once, rendered per sink.
 *
 * @param kind what happened to the pod
 * @param action what LeakGuard did or withheld, and why, in one line
 * @param topGroups the top lines of the dump report (the leaking stacks); may be empty
 * @param dumpConfigMap where the dump is kept, or null
 */
public record Notification(Kind kind, String policy, String namespace, String pod, String workload, String verdict,
        String reason, Double heapBytesPerHour, Double threadsPerHour, String projectedOomIn, String action,
        List<String> topGroups, String dumpConfigMap, String severity, Map<String, String> extraLabels) {

    /** What happened to a Leaking pod: restarted (a warning: it is handled), or not (critical: it will die). */
    public enum Kind {
        PodRestarted("warning"), WouldRestart("critical"), RestartWithheld("critical");

        private final String severity;

        Kind(String severity) {
            this.severity = severity;
        }

        public String severity() {
            return severity;
        }
    }

    public String title() {
        return switch (kind) {
            case PodRestarted -> "LeakGuard restarted " + namespace + "/" + pod + " before it ran out of memory";
            case WouldRestart -> "LeakGuard would restart " + namespace + "/" + pod + " (dry run)";
            case RestartWithheld -> "LeakGuard found " + namespace + "/" + pod + " leaking but did not restart it";
        };
    }

    public String fetchDumpCommand() {
        return dumpConfigMap == null ? null : "kubectl get configmap " + dumpConfigMap + " -n " + namespace
                + " -o jsonpath='{.binaryData.dump\\.txt\\.gz}' | base64 -d | gunzip";
    }
}
