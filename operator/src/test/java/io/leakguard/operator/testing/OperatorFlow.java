package io.leakguard.operator.testing;

import java.time.Duration;

import jakarta.inject.Inject;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.LeakPolicyStatus;
import io.leakguard.operator.sampling.SamplingLoop;
import io.leakguard.operator.tracking.PodRegistry;

/**
 * What the operator's @QuarkusTest flow classes share: the running operator's client, registry, sampling
 * loop and clock, a step of the clock with one sampling round, a policy's status, and a clean namespace
 * after each test (policies through the operator's finalizer, pods, dump ConfigMaps).
 */
public abstract class OperatorFlow {

    @Inject
    protected KubernetesClient client;
    @Inject
    protected PodRegistry registry;
    @Inject
    protected SamplingLoop loop;
    @Inject
    protected MutableClock clock;

    /** Moves the operator's clock one {@code interval} forward and lets the sampler run its due rounds. */
    protected void step(Duration interval) {
        Fixtures.step(clock, loop, interval);
    }

    /** The status of a policy, empty (never null) before the operator first writes it or the policy exists. */
    protected LeakPolicyStatus status(String namespace, String name) {
        LeakPolicy policy = client.resources(LeakPolicy.class).inNamespace(namespace).withName(name).get();
        return policy == null || policy.getStatus() == null ? new LeakPolicyStatus() : policy.getStatus();
    }

    /** Deletes what a test left in {@code namespaces}, waiting until its policies are really gone. */
    protected void clean(String... namespaces) {
        for (String namespace : namespaces) {
            PolicyCleanup.deleteAll(client, registry, namespace);
            client.pods().inNamespace(namespace).delete();
            client.configMaps().inNamespace(namespace).delete();
        }
    }
}
