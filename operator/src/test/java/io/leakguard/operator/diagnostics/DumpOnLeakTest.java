package io.leakguard.operator.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.leakguard.api.v1alpha1.DumpRecord;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.operator.testing.FakeMetricsEndpoint.Answer;
import io.leakguard.operator.testing.FakeMetricsEndpoint;
import io.leakguard.operator.testing.Fixtures;
import io.leakguard.operator.testing.OperatorFlow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A pod that turns Suspect gets a baseline dump; when it turns Leaking, the trigger dump is diffed
 * against it, stored gzip-compressed in a ConfigMap the policy owns, the oldest dumps beyond
 * {@code diagnostics.retain} are deleted, and status names the ConfigMap and the stack that grew.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class DumpOnLeakTest extends OperatorFlow {

    private static final String NS = "dumps";
    private static final double MIB = 1024 * 1024;

    FakeMetricsEndpoint endpoint;

    @AfterEach
    void cleanUp() {
        clean(NS);
        endpoint.close();
    }

    @Test
    void aLeakingPodsDumpIsStoredOwnedRetainedAndReferencedFromStatus() throws Exception {
        endpoint = new FakeMetricsEndpoint();
        endpoint.dump(DumpParserTest.fixture("go1.19-debug2-baseline.txt"));
        AtomicInteger scrapes = new AtomicInteger();
        endpoint.answer(() -> {
            int n = scrapes.getAndIncrement();
            double heap = 100 * MIB + n * 2 * MIB + (n % 4) * 6 * MIB;
            return Answer.ok(FakeMetricsEndpoint.goMetrics(30, heap, heap + 40 * MIB));
        });
        client.pods().inNamespace(NS).resource(
                Fixtures.scrapedPod("api-1", Map.of("app", "api"), endpoint.port(), clock.instant()).build()).create();
        LeakPolicy policy = Fixtures.quickGoPolicy(NS, "api", Map.of("app", "api"), "1h");
        policy.getSpec().diagnostics.retain = 2;
        client.resource(policy).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> status() != null && status().pods.matched == 1);
        String policyUid = client.resources(LeakPolicy.class).inNamespace(NS).withName("api").get().getMetadata().getUid();
        for (int i = 1; i <= 3; i++) {
            client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
                    .withName("leakguard-dump-old-" + i)
                    .addToLabels(DumpStore.LABEL_KIND, "dump").addToLabels(DumpStore.LABEL_POLICY, "api")
                    .addToAnnotations(DumpStore.ANNOTATION_TAKEN_AT, "2026-01-0" + i + "T00:00:00Z")
                    .addNewOwnerReference().withApiVersion("leakguard.io/v1alpha1").withKind("LeakPolicy").withName("api")
                    .withUid(policyUid).endOwnerReference()
                    .endMetadata().build()).create();
        }
        // A ConfigMap of someone else's that carries the dump labels: retention must not touch it.
        client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata()
                .withName("team-settings")
                .addToLabels(DumpStore.LABEL_KIND, "dump").addToLabels(DumpStore.LABEL_POLICY, "api")
                .addToAnnotations(DumpStore.ANNOTATION_TAKEN_AT, "2020-01-01T00:00:00Z")
                .endMetadata().build()).create();

        boolean switched = false;
        for (int round = 0; round < 400 && status().pods.leaking == 0; round++) {
            if (!switched && status().pods.suspect == 1) {
                // The baseline was taken when the pod turned Suspect; from now on the pod has leaked more.
                await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ofMillis(300)).until(() -> true);
                endpoint.dump(DumpParserTest.fixture("go1.19-debug2-trigger.txt"));
                switched = true;
            }
            step(Duration.ofSeconds(15));
        }
        assertThat(switched).as("the pod was Suspect before Leaking").isTrue();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(status().dumps).isNotEmpty());
        DumpRecord record = status().dumps.get(0);
        assertThat(record.error).isNull();
        assertThat(record.pod).isEqualTo("api-1");
        assertThat(record.topGroup).contains("+60 goroutines").contains("chan send").contains("main.worker");

        ConfigMap stored = client.configMaps().inNamespace(NS).withName(record.configMap).get();
        assertThat(stored).as("ConfigMap %s", record.configMap).isNotNull();
        assertThat(stored.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("LeakPolicy");
            assertThat(owner.getUid()).isEqualTo(policyUid);
        });
        assertThat(stored.getMetadata().getLabels()).containsEntry("leakguard.io/pod", "api-1");
        assertThat(stored.getData().get("report.txt")).contains("main.worker");
        byte[] raw = new GZIPInputStream(new ByteArrayInputStream(
                Base64.getDecoder().decode(stored.getBinaryData().get("dump.txt.gz")))).readAllBytes();
        assertThat(new String(raw)).isEqualTo(DumpParserTest.fixture("go1.19-debug2-trigger.txt"));

        List<String> remaining = client.configMaps().inNamespace(NS).withLabel(DumpStore.LABEL_POLICY, "api").list()
                .getItems().stream().map(c -> c.getMetadata().getName()).sorted().toList();
        assertThat(remaining).as("retain: 2 keeps the newest two the policy owns, and nothing it does not own is deleted")
                .containsExactly(record.configMap, "leakguard-dump-old-3", "team-settings");
    }

    private io.leakguard.api.v1alpha1.LeakPolicyStatus status() {
        return status(NS, "api");
    }
}
