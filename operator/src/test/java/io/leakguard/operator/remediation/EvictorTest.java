package io.leakguard.operator.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Evictor against the API server's answers to an Eviction: 201, 429 (PDB), 404, 409 and 500. */
class EvictorTest {

    KubernetesMockServer server;
    KubernetesClient client;
    Evictor evictor;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer();
        server.init();
        client = server.createClient();
        evictor = new Evictor(client);
    }

    @AfterEach
    void stop() {
        evictor.close();
        client.close();
        server.destroy();
    }

    private void answer(int code) {
        server.expect().post().withPath("/api/v1/namespaces/shop/pods/api-1/eviction")
                .andReturn(code, new StatusBuilder().withCode(code).withMessage("answer " + code).build()).always();
    }

    @ParameterizedTest
    @CsvSource({"201,Evicted", "429,BlockedByPdb", "404,AlreadyGone", "409,Failed", "500,Failed"})
    void eachAnswerHasItsOutcome(int code, Evictor.Outcome expected) {
        answer(code);
        Instant start = Instant.now();
        Evictor.Result result = evictor.evict("shop", "api-1", "uid-1");
        assertThat(result.outcome()).isEqualTo(expected);
        assertThat(Duration.between(start, Instant.now())).as("a 429 comes back at once, not after client retries")
                .isLessThan(Duration.ofSeconds(5));
        if (expected == Evictor.Outcome.Failed || expected == Evictor.Outcome.BlockedByPdb) {
            assertThat(result.message()).contains("will retry");
        }
    }

    @Test
    void theEvictionNamesThePodsUidSoAReplacementWithTheSameNameIsSpared() throws Exception {
        answer(201);
        evictor.evict("shop", "api-1", "uid-1");
        RecordedRequest request = server.takeRequest();
        assertThat(request.getPath()).isEqualTo("/api/v1/namespaces/shop/pods/api-1/eviction");
        String body = request.getBody().readUtf8();
        assertThat(body).contains("\"kind\":\"Eviction\"").contains("\"policy/v1\"").contains("\"uid\":\"uid-1\"");
        assertThat(body).as("the pod's own grace period applies").doesNotContain("gracePeriodSeconds");
    }
}
