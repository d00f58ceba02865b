package io.leakguard.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/**
 * Defaults exist twice: in the schema (applied by the API server) and in the Java fields (what the
 * operator sees when a server did not apply them). They must agree, and they must be the safe ones.
 */
class LeakPolicyDefaultsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everySchemaDefaultEqualsTheJavaDefault() throws IOException {
        JsonNode schema = YAML.readTree(RepoPaths.committedCrd().toFile())
                .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
        JsonNode javaDefaults = Serialization.jsonMapper().valueToTree(new LeakPolicySpec());
        List<String> mismatches = new ArrayList<>();
        compare(schema, javaDefaults, "spec", mismatches);
        assertThat(mismatches).isEmpty();
    }

    private static void compare(JsonNode schema, JsonNode javaValue, String path, List<String> mismatches) {
        Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> property = properties.next();
            String at = path + "." + property.getKey();
            JsonNode javaField = javaValue == null ? null : javaValue.get(property.getKey());
            JsonNode schemaDefault = property.getValue().get("default");
            if (schemaDefault != null && !schemaDefault.isObject()
                    && (javaField == null || !sameValue(schemaDefault, javaField))) {
                mismatches.add(at + ": schema default " + schemaDefault + " but Java default " + javaField);
            }
            if (property.getValue().has("properties")) {
                compare(property.getValue(), javaField, at, mismatches);
            }
        }
    }

    private static boolean sameValue(JsonNode a, JsonNode b) {
        return a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) == 0 : a.equals(b);
    }

    @Test
    void aMinimalPolicyReadsWithSafeDefaults() {
        LeakPolicy policy = Serialization.unmarshal("""
                apiVersion: leakguard.io/v1alpha1
                kind: LeakPolicy
                metadata: {name: checkout, namespace: shop}
                spec:
                  selector: {matchLabels: {app: checkout}}
                  runtime: Go
                """, LeakPolicy.class);
        LeakPolicySpec spec = policy.getSpec();
        assertThat(spec.metrics.source).isEqualTo(MetricsSource.Scrape);
        assertThat(spec.metrics.port.getStrVal()).isEqualTo("metrics");
        assertThat(spec.metrics.path).isEqualTo("/metrics");
        assertThat(spec.metrics.interval).isEqualTo("15s");
        assertThat(spec.detection.window).isEqualTo("1h");
        assertThat(spec.detection.horizon).isEqualTo("15m");
        assertThat(spec.detection.confidence).isEqualTo(0.99);
        assertThat(spec.diagnostics.threadDump.enabled).isTrue();
        assertThat(spec.diagnostics.retain).isEqualTo(10);
        assertThat(spec.remediation.action).isEqualTo(RemediationAction.Evict);
        assertThat(spec.remediation.maxConcurrent).as("one restart at a time").isEqualTo(1);
        assertThat(spec.remediation.maxPerHour).isEqualTo(3);
        assertThat(spec.remediation.cooldown).isEqualTo("15m");
        assertThat(spec.alerting.events).isTrue();
        assertThat(spec.alerting.slack).isNull();
        assertThat(spec.alerting.alertmanager).isNull();
    }
}
