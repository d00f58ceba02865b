package io.leakguard.operator.remediation;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.LeakPolicyStatus;
import io.leakguard.api.v1alpha1.RemediationRecord;
import org.jboss.logging.Logger;

/**
 * Writes an eviction intent to the policy's status before the eviction, with the resourceVersion the plan
 * was made from: a conflict means another writer (a second leader, a stale cache) acted first, and the
 * eviction is not made.
 */
@Singleton
public class IntentWriter {

    private static final Logger LOG = Logger.getLogger(IntentWriter.class);

    private final KubernetesClient client;

    public IntentWriter(KubernetesClient client) {
        this.client = client;
    }

    /** True once the intent is stored; the policy then carries the new resourceVersion. */
    boolean persist(LeakPolicy policy, LeakPolicyStatus status, List<RemediationRecord> records, RemediationRecord intent) {
        LeakPolicy patch = new LeakPolicy();
        patch.getMetadata().setName(policy.getMetadata().getName());
        patch.getMetadata().setNamespace(policy.getMetadata().getNamespace());
        patch.getMetadata().setResourceVersion(policy.getMetadata().getResourceVersion());
        LeakPolicyStatus next = new LeakPolicyStatus();
        next.observedGeneration = status.observedGeneration;
        next.conditions = status.conditions;
        next.pods = status.pods;
        next.restarts = status.restarts;
        next.atRisk = status.atRisk;
        next.dumps = status.dumps;
        List<RemediationRecord> withIntent = new ArrayList<>(records);
        withIntent.add(0, intent);
        next.remediations = Records.trim(withIntent);
        patch.setStatus(next);
        try {
            LeakPolicy updated = client.resources(LeakPolicy.class).inNamespace(policy.getMetadata().getNamespace())
                    .resource(patch).patchStatus();
            if (updated != null) {
                policy.getMetadata().setResourceVersion(updated.getMetadata().getResourceVersion());
            }
            return true;
        } catch (KubernetesClientException e) {
            LOG.warnf("not evicting: could not record the intent first (HTTP %d: %s); will look again: namespace=%s policy=%s",
                    e.getCode(), e.getMessage(), policy.getMetadata().getNamespace(), policy.getMetadata().getName());
            return false;
        }
    }
}
