package io.leakguard.operator.remediation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;
import io.leakguard.api.v1alpha1.DumpRecord;
import io.leakguard.api.v1alpha1.RemediationRecord;
import io.leakguard.operator.text.StatusText;
import io.leakguard.operator.tracking.TrackedPod;

/** Pure: remediation records as status keeps them, and pods as the planner sees them. */
final class Records {

    static final String EVICTING = "Evicting";
    static final String EVICTED = "Evicted";
    static final int STATUS_RECORDS = 50;

    private Records() {
    }

    static RemediationRecord record(RemediationPlanner.Decision decision, String result, String reason, DumpRecord dump,
            Instant now) {
        RemediationRecord record = new RemediationRecord();
        record.pod = decision.pod();
        record.podUid = decision.podUid();
        record.workload = decision.workload();
        record.time = now.toString();
        record.result = result;
        record.reason = StatusText.clean(reason, StatusText.REASON);
        record.dump = dump == null ? null : dump.configMap;
        return record;
    }

    /** The newest {@value #STATUS_RECORDS} records. */
    static List<RemediationRecord> trim(List<RemediationRecord> records) {
        return new ArrayList<>(records.subList(0, Math.min(STATUS_RECORDS, records.size())));
    }

    static RemediationPlanner.PastEviction past(RemediationRecord record) {
        return new RemediationPlanner.PastEviction(record.pod, record.podUid, record.workload, Instant.parse(record.time));
    }

    static RemediationPlanner.PodState state(Pod pod) {
        String workload = TrackedPod.workloadOf(pod);
        boolean ready = pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        Instant created = pod.getMetadata().getCreationTimestamp() == null ? null
                : Instant.parse(pod.getMetadata().getCreationTimestamp());
        return new RemediationPlanner.PodState(pod.getMetadata().getName(), pod.getMetadata().getUid(), workload, ready,
                pod.getMetadata().getDeletionTimestamp() != null, created);
    }

    /** Why a pod has no dump ("no dump: ..."), or empty when it has one. */
    static String missingDump(DumpRecord dump) {
        return dump == null || dump.configMap == null
                ? "no dump: " + (dump == null || dump.error == null ? "none was taken" : dump.error) : "";
    }

    /** {@link #missingDump} in parentheses after a reason, or empty. */
    static String dumpNote(DumpRecord dump) {
        String missing = missingDump(dump);
        return missing.isEmpty() ? "" : " (" + missing + ")";
    }
}
