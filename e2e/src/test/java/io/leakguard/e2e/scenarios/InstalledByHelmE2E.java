package io.leakguard.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.e2e.harness.KubeCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The chart installed by Helm into a real API server, the operator running as its Deployment's pod
 * under the chart's ServiceAccount: what a user sees before any leak. The CRD's schema and CEL rules
 * refuse bad policies with the server's own message, and a valid policy is reconciled to Ready with no
 * request of the operator refused by the authorizer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InstalledByHelmE2E {

    private KubeCluster cluster;

    @BeforeAll
    void install() throws Exception {
        String reason = KubeCluster.unavailableReason();
        KubeCluster.assumeRunnable("InstalledByHelmE2E", reason);
        cluster = KubeCluster.start(Files.createTempDirectory("installed-by-helm-e2e"));
        cluster.installOperator(Map.of(), Map.of());
        cluster.namespace("shop");
        cluster.leakyDeployment("shop", "checkout", 2, Workloads.LIMIT, index -> List.of("-garbage-kib-per-second", "500"));
        cluster.awaitReady("shop", "checkout", 2, Duration.ofMinutes(2));
    }

    @AfterAll
    void uninstall() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String policy(String detection) {
        return """
                apiVersion: leakguard.io/v1alpha1
                kind: LeakPolicy
                metadata: {name: checkout, namespace: shop}
                spec:
                  selector: {matchLabels: {app: checkout}}
                  runtime: Go
                  metrics: {interval: 2s, timeout: 1s}
                  detection: %s
                """.formatted(detection);
    }

    @Test
    void theApiServerRefusesBadPoliciesWithTheSchemasMessage() {
        assertThatThrownBy(() -> cluster.create(policy("{confidence: 1.5}").replace("name: checkout,", "name: bad-confidence,")))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec.detection.confidence")
                .hasMessageContaining("0.9999");
        assertThatThrownBy(() -> cluster.create(policy("{window: 1m}").replace("name: checkout,", "name: bad-window,")))
                .as("a CEL rule of the CRD, evaluated by the server")
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec.detection.window must be between 5m and 168h");
        assertThatThrownBy(() -> cluster.create(policy("{window: soon}").replace("name: checkout,", "name: bad-duration,")))
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec.detection.window");
        assertThat(cluster.client.resources(LeakPolicy.class).inNamespace("shop").list().getItems())
                .extracting(p -> p.getMetadata().getName()).doesNotContain("bad-confidence", "bad-window", "bad-duration");
    }

    @Test
    void theOperatorUnderTheChartsServiceAccountReconcilesAPolicyWithNoRequestRefused() throws Exception {
        cluster.create(policy("{window: 5m, horizon: 2m, minSamples: 10, warmup: 0s}"));
        await().ignoreExceptions().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            LeakPolicy policy = cluster.policy("shop", "checkout");
            assertThat(policy.getStatus().pods.matched).isEqualTo(2);
            assertThat(policy.getStatus().conditions).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Ready");
                assertThat(c.getStatus()).isEqualTo("True");
            });
            assertThat(policy.getStatus().observedGeneration).isEqualTo(policy.getMetadata().getGeneration());
        });
        // A flat pod is called Healthy after twelve full-width troughs of history: 2 minutes for this 5-minute
        // window, counted from the pod's first sample, so the wait covers that and the operator's first scrapes.
        await().ignoreExceptions().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(cluster.policy("shop", "checkout").getStatus().pods.insufficientData)
                        .as("both pods scraped at their own pod IPs until they have enough samples to judge").isZero());
        assertThat(cluster.operatorForbidden()).as("the operator's requests the chart's RBAC refused; operator log:\n%s",
                cluster.operatorLog()).isEmpty();
        assertThat(cluster.plane.requests()).as("the operator's requests reached the API server under its ServiceAccount")
                .anySatisfy(r -> assertThat(r.user()).isEqualTo("system:serviceaccount:leakguard-system:leakguard"));
    }
}
