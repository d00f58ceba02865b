package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** An existing Prometheus that already scrapes the watched pods. */
public class PrometheusSpec {

    @Required
    @Pattern(SchemaPatterns.HTTP_URL)
    @JsonPropertyDescription("Base URL of the Prometheus HTTP API, such as http://prometheus.monitoring:9090.")
    public String url;

    @JsonPropertyDescription("Secret key holding a bearer token sent with every query. Optional.")
    public SecretKeyRef bearerTokenSecretRef;
}
