package io.leakguard.operator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

/** What a kubelet probe and a Prometheus scrape of the operator see. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorEndpointsTest {

    @Test
    void readinessReportsTheOperatorUp() {
        given().get("/q/health/ready").then().statusCode(200).body(containsString("\"status\": \"UP\""));
    }

    @Test
    void livenessReportsUp() {
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void metricsExposeTrackedPodsInPrometheusFormat() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("leakguard_pods_tracked"))
                .body(containsString("leakguard_policies_tracked"));
    }
}
