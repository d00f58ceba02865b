package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Grafana Pyroscope server that a Go pod's goroutine and leak profiles are pushed to, next to its dump. */
public class PyroscopeSpec {

    @Required
    @Pattern(SchemaPatterns.HTTP_URL)
    @Size(max = 2048)
    @JsonPropertyDescription("Base URL of the Pyroscope server (its /ingest API), such as"
            + " http://pyroscope.monitoring:4040. The operator's egress rules apply.")
    public String url;

    @Pattern("^[a-zA-Z0-9_.-]+$")
    @Size(max = 128)
    @JsonPropertyDescription("The service_name the profiles are filed under. Unset: NAMESPACE.POLICY.")
    public String application;
}
