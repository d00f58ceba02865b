package io.leakguard.e2e.k3s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.e2e.scenarios.Workloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The goroutine leak on a real cluster: k3s in a container (Testcontainers), the chart installed with
 * Helm and the operator image that Jib built, and the leaky workload as a Deployment with a real
 * memory limit. It needs a Docker engine, and network access for the images; elsewhere it is skipped
 * and says why. The operator image must be in the local Docker engine first:
 * {@code ./mvnw -pl operator -am package -DskipTests -Dquarkus.container-image.build=true}.
 */
class GoroutineLeakK3sE2E {

    static final String OPERATOR_IMAGE = System.getProperty("leakguard.image", "ghcr.io/leakguard/leakguard-operator:0.1.0");
    static final String K3S = System.getProperty("leakguard.k3s", "rancher/k3s:v1.31.4-k3s1");

    @TempDir
    Path work;

    @Test
    void aLeakingPodOnK3sIsEvictedGracefullyBeforeTheKernelKillsIt() throws Exception {
        boolean docker = DockerClientFactory.instance().isDockerAvailable();
        if (!docker) {
            System.err.println("GoroutineLeakK3sE2E skipped: no Docker engine here, so no k3s container."
                    + " Run it where Docker runs: ./mvnw -pl operator -am package -DskipTests"
                    + " -Dquarkus.container-image.build=true && ./mvnw -pl e2e verify -Dtest=GoroutineLeakK3sE2E");
        }
        assumeTrue(docker, "skipped: no Docker engine");
        var dockerClient = DockerClientFactory.instance().client();
        assertThat(dockerClient.listImagesCmd().withReferenceFilter(OPERATOR_IMAGE).exec())
                .as("the operator image %s in the local Docker engine; build it with ./mvnw -pl operator -am package"
                        + " -DskipTests -Dquarkus.container-image.build=true", OPERATOR_IMAGE).isNotEmpty();
        String leakyImage = new ImageFromDockerfile("leakguard-e2e/leaky", false)
                .withFileFromPath(".", Path.of("workloads/leaky").toAbsolutePath()).get();

        try (K3sContainer k3s = new K3sContainer(DockerImageName.parse(K3S))) {
            k3s.start();
            for (String image : List.of(OPERATOR_IMAGE, leakyImage)) {
                Path tar = work.resolve(image.replaceAll("[^a-zA-Z0-9]", "_") + ".tar");
                try (InputStream saved = dockerClient.saveImageCmd(image).exec()) {
                    Files.copy(saved, tar);
                }
                k3s.copyFileToContainer(MountableFile.forHostPath(tar), "/tmp/image.tar");
                var imported = k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", "/tmp/image.tar");
                assertThat(imported.getExitCode()).as("ctr import of %s: %s", image, imported.getStderr()).isZero();
            }
            String kubeconfig = k3s.getKubeConfigYaml();
            new Helm(Path.of("../helm/leakguard")).install().withName("leakguard").withNamespace("leakguard-system")
                    .createNamespace().withKubeConfigContents(kubeconfig)
                    .set("image.repository", OPERATOR_IMAGE.substring(0, OPERATOR_IMAGE.lastIndexOf(':')))
                    .set("image.tag", OPERATOR_IMAGE.substring(OPERATOR_IMAGE.lastIndexOf(':') + 1))
                    .set("image.pullPolicy", "Never").waitReady().withTimeout(300).call();

            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
                client.resource(Serialization.unmarshal("""
                        apiVersion: v1
                        kind: Namespace
                        metadata: {name: shop}
                        """, io.fabric8.kubernetes.api.model.Namespace.class)).create();
                // Two replicas, both leaking: LeakGuard never evicts a workload's last Ready replica.
                client.load(new java.io.ByteArrayInputStream("""
                        apiVersion: apps/v1
                        kind: Deployment
                        metadata: {name: checkout, namespace: shop}
                        spec:
                          replicas: 2
                          selector: {matchLabels: {app: checkout}}
                          template:
                            metadata: {labels: {app: checkout}}
                            spec:
                              terminationGracePeriodSeconds: 10
                              containers:
                                - name: app
                                  image: %s
                                  imagePullPolicy: Never
                                  args: [-listen, ":9090", -leak-goroutines-per-second, "30", -leak-bytes-per-goroutine, "8192"]
                                  ports: [{name: metrics, containerPort: 9090}]
                                  resources: {limits: {memory: 160Mi}, requests: {memory: 32Mi}}
                        """.formatted(leakyImage).getBytes())).inNamespace("shop").create();
                client.resource(Serialization.unmarshal(Workloads.policy("shop", "", "", "{}"), LeakPolicy.class)).create();

                await().ignoreExceptions().atMost(Duration.ofMinutes(9)).pollInterval(Duration.ofSeconds(5))
                        .untilAsserted(() -> assertThat(client.resources(LeakPolicy.class).inNamespace("shop")
                                .withName("checkout").get().getStatus().restarts).isGreaterThanOrEqualTo(1));
                LeakPolicy policy = client.resources(LeakPolicy.class).inNamespace("shop").withName("checkout").get();
                var evicted = policy.getStatus().remediations.stream().filter(r -> "Evicted".equals(r.result))
                        .reduce((newer, older) -> older).orElseThrow();
                assertThat(evicted.dump).as("the dump taken before the eviction").isNotNull();
                assertThat(client.configMaps().inNamespace("shop").withName(evicted.dump).get().getData().get("report.txt"))
                        .contains("main.worker");
                for (Pod pod : client.pods().inNamespace("shop").withLabel("app", "checkout").list().getItems()) {
                    pod.getStatus().getContainerStatuses().forEach(s -> assertThat(s.getLastState().getTerminated() == null
                            ? null : s.getLastState().getTerminated().getReason())
                            .as("no container of %s was OOM-killed before the first eviction", pod.getMetadata().getName())
                            .isNotEqualTo("OOMKilled"));
                }
            }
        }
    }
}
