package io.leakguard.operator.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

/** A real fabric8 informer over a CRUD mock API server, with the operator's pod store. */
@EnableKubernetesMockClient(crud = true)
class TrimmedPodStoreTest {

    KubernetesClient client;

    @Test
    void theFirstListsPodsReachTheHandlerTrimmedSoThatNoneIsHeldWhole() {
        for (int i = 0; i < 30; i++) {
            client.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName("api-" + i)
                    .addToLabels("app", "api").addToAnnotations("big", "x".repeat(10_000)).endMetadata()
                    .withNewSpec().addNewContainer().withName("app").addNewEnv().withName("E").withValue("y".repeat(10_000))
                    .endEnv().endContainer().addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                    .endSpec().build()).create();
        }
        List<Pod> announced = new CopyOnWriteArrayList<>();
        SharedIndexInformer<Pod> informer = client.pods().inNamespace("shop").withLimit(10L).runnableInformer(0);
        informer.itemStore(new TrimmedPodStore());
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                announced.add(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
            }
        });
        try {
            informer.run();
            await().atMost(Duration.ofSeconds(10)).until(() -> announced.size() == 30);
            assertThat(announced).allSatisfy(pod -> {
                assertThat(pod.getMetadata().getLabels()).containsEntry("app", "api");
                assertThat(pod.getMetadata().getAnnotations()).as("annotations of an announced pod").isNullOrEmpty();
                assertThat(pod.getSpec().getVolumes()).as("volumes of an announced pod").isNullOrEmpty();
            });
            assertThat(informer.getStore().list()).hasSize(30);
        } finally {
            informer.close();
        }
    }
}
