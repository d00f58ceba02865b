package io.leakguard.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;

/** Where samples come from and how often. */
@ValidationRule(value = "self.source != 'Prometheus' || has(self.prometheus)",
        message = "spec.metrics.prometheus.url is required when spec.metrics.source is Prometheus",
        fieldPath = ".prometheus", reason = "FieldValueRequired")
@ValidationRule(value = "duration(self.timeout) <= duration(self.interval)",
        message = "spec.metrics.timeout must not be longer than spec.metrics.interval")
@ValidationRule(value = "duration(self.interval) >= duration('1s') && duration(self.interval) <= duration('1h')",
        message = "spec.metrics.interval must be between 1s and 1h", fieldPath = ".interval")
public class MetricsSpec {

    @Default("Scrape")
    @JsonPropertyDescription("Scrape reads each pod's metrics endpoint directly. Prometheus queries an"
            + " existing Prometheus, which also lets LeakGuard backfill history after a restart.")
    public MetricsSource source = MetricsSource.Scrape;

    @Default("metrics")
    @ValidationRule(value = "type(self) != int || (self >= 1 && self <= 65535)",
            message = "spec.metrics.port must be a port number between 1 and 65535, or a container port name")
    @JsonPropertyDescription("Scrape only: the container port serving metrics, as a number or a port name.")
    public IntOrString port = new IntOrString("metrics");

    @Default("/metrics")
    @Pattern(SchemaPatterns.HTTP_PATH)
    @JsonPropertyDescription("Scrape only: HTTP path of the Prometheus or OpenMetrics endpoint.")
    public String path = "/metrics";

    @Default("HTTP")
    @JsonPropertyDescription("Scrape only: HTTP or HTTPS.")
    public Scheme scheme = Scheme.HTTP;

    @Default("15s")
    @Pattern(SchemaPatterns.DURATION)
    @Size(max = 32)
    @JsonPropertyDescription("How often each pod is sampled, as a duration (15s, 1m). Between 1s and 1h.")
    public String interval = "15s";

    @Default("5s")
    @Pattern(SchemaPatterns.DURATION)
    @Size(max = 32)
    @JsonPropertyDescription("How long one scrape or query may take before it counts as missing data."
            + " At most the interval.")
    public String timeout = "5s";

    @JsonPropertyDescription("Prometheus only: the server to query. Required when source is Prometheus.")
    public PrometheusSpec prometheus;

    @JsonPropertyDescription("Overrides of the metric names the runtime implies. Required for runtime Custom.")
    public MetricNames names;
}
