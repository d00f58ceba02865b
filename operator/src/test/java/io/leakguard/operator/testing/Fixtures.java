package io.leakguard.operator.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.operator.sampling.SamplingLoop;

/** The policies, pods and clock steps the operator's tests share. */
public final class Fixtures {

    private Fixtures() {
    }

    /** A Go policy with every default, selecting {@code labels}. */
    public static LeakPolicy goPolicy(String namespace, String name, Map<String, String> labels) {
        LeakPolicy policy = new LeakPolicy();
        policy.getMetadata().setName(name);
        policy.getMetadata().setNamespace(namespace);
        policy.setSpec(new LeakPolicySpec());
        policy.getSpec().selector = new LabelSelectorBuilder().withMatchLabels(labels).build();
        policy.getSpec().runtime = Runtime.Go;
        return policy;
    }

    /**
     * A Go policy that judges within minutes of test time: a 30-minute window, no warm-up, 5 samples,
     * and a thread bound high enough that only the heap trend decides.
     */
    public static LeakPolicy quickGoPolicy(String namespace, String name, Map<String, String> labels, String horizon) {
        LeakPolicy policy = goPolicy(namespace, name, labels);
        policy.getSpec().detection.window = "30m";
        policy.getSpec().detection.horizon = horizon;
        policy.getSpec().detection.minSamples = 5;
        policy.getSpec().detection.warmup = "0s";
        policy.getSpec().detection.maxThreadGrowthPerHour = 100000;
        return policy;
    }

    /** A running pod on loopback whose port named "metrics" is {@code port}, with a 1 GiB memory limit. */
    public static PodBuilder scrapedPod(String name, Map<String, String> labels, int port, Instant started) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("example/app:1")
                .addNewPort().withName("metrics").withContainerPort(port).endPort()
                .withNewResources().addToLimits("memory", new Quantity("1Gi")).endResources()
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").withStartTime(started.toString())
                .endStatus();
    }

    /** One interval: move the clock, start the round, wait for it to finish. */
    public static void step(MutableClock clock, SamplingLoop loop, Duration interval) {
        clock.advance(interval);
        loop.tick();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5)).until(loop::idle);
    }
}
