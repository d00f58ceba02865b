package io.leakguard.operator.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * A tenant chooses the Prometheus URL; whatever answers there must not come back to the tenant through
 * the policy's status (a request forgery with read-back): an error answer is named, never repeated.
 */
class PrometheusAnswerTest {

    @Test
    void anErrorAnswerIsNamedByItsTypeAndItsTextIsNotRepeated() {
        String answer = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"aws_secret=AKIA" + "x".repeat(3_000_000) + "\"}";
        assertThatThrownBy(() -> PrometheusSource.parseVector(answer.getBytes(StandardCharsets.UTF_8), "metadata.internal"))
                .isInstanceOf(IOException.class)
                .hasMessage("Prometheus at metadata.internal did not answer success (errorType bad_data)");
    }

    @Test
    void anErrorTypeThatIsNotAWordIsNotRepeatedEither() {
        String answer = "{\"status\":\"error\",\"errorType\":\"token=abc123 and more\"}";
        assertThatThrownBy(() -> PrometheusSource.parseVector(answer.getBytes(StandardCharsets.UTF_8), "h"))
                .hasMessage("Prometheus at h did not answer success (errorType unknown)");
    }

    @Test
    void anAnswerThatIsNotJsonIsNotQuoted() {
        assertThatThrownBy(() -> PrometheusSource.parseVector("ssh-rsa AAAAB3NzaC1yc2E secret".getBytes(StandardCharsets.UTF_8), "h"))
                .hasMessage("Prometheus at h answered something that is not JSON");
    }

    @Test
    void aVectorIsReadPerPod() throws IOException {
        String answer = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
                + "{\"__name__\":\"go_goroutines\",\"pod\":\"api-1\"},\"value\":[1,\"42\"]}]}}";
        assertThat(PrometheusSource.parseVector(answer.getBytes(StandardCharsets.UTF_8), "h").get("api-1"))
                .singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(42.0));
    }
}
