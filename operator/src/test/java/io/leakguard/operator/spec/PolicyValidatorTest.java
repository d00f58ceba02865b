package io.leakguard.operator.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.leakguard.api.v1alpha1.AlertmanagerSpec;
import io.leakguard.api.v1alpha1.DumpSource;
import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.api.v1alpha1.MetricsSource;
import io.leakguard.api.v1alpha1.PrometheusSpec;
import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.operator.spec.PolicyValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the schema cannot say, and the schema's CEL rules again for API servers that do not run them. */
class PolicyValidatorTest {

    private static LeakPolicySpec valid() {
        LeakPolicySpec spec = new LeakPolicySpec();
        spec.selector = new LabelSelectorBuilder().addToMatchLabels("app", "checkout").build();
        spec.runtime = Runtime.Go;
        return spec;
    }

    private static List<String> problemsWith(Consumer<LeakPolicySpec> change) {
        LeakPolicySpec spec = valid();
        change.accept(spec);
        return PolicyValidator.validate(spec);
    }

    @ParameterizedTest
    @EnumSource(value = Runtime.class, names = {"Go", "JVM"})
    void defaultsAreValidForEveryBuiltInRuntime(Runtime runtime) {
        assertThat(problemsWith(spec -> spec.runtime = runtime)).isEmpty();
    }

    @Test
    void pushingProfilesToPyroscopeNeedsAGoPodAndAUrlTheEgressRulesAllow() {
        assertThat(problemsWith(spec -> {
            spec.diagnostics.pyroscope = new io.leakguard.api.v1alpha1.PyroscopeSpec();
            spec.diagnostics.pyroscope.url = "http://pyroscope.monitoring:4040";
        })).isEmpty();
        assertThat(problemsWith(spec -> spec.diagnostics.pyroscope = new io.leakguard.api.v1alpha1.PyroscopeSpec()))
                .singleElement().asString().contains("spec.diagnostics.pyroscope.url is required");
        assertThat(problemsWith(spec -> {
            spec.runtime = Runtime.JVM;
            spec.diagnostics.pyroscope = new io.leakguard.api.v1alpha1.PyroscopeSpec();
            spec.diagnostics.pyroscope.url = "http://pyroscope.monitoring:4040";
        })).singleElement().asString().contains("needs spec.runtime Go");
        LeakPolicySpec metadata = valid();
        metadata.diagnostics.pyroscope = new io.leakguard.api.v1alpha1.PyroscopeSpec();
        metadata.diagnostics.pyroscope.url = "http://169.254.169.254/latest";
        assertThat(PolicyValidator.validate(metadata, new io.leakguard.operator.http.EgressRules(List.of(), false, false)))
                .singleElement().asString().contains("spec.diagnostics.pyroscope.url");
    }

    @Test
    void actingOnProvenLeaksNeedsAGoPodAndItsPprofEndpoint() {
        assertThat(problemsWith(spec -> {
            spec.detection = new io.leakguard.api.v1alpha1.DetectionSpec();
            spec.detection.provenLeakGoroutines = 100;
        })).isEmpty();
        assertThat(problemsWith(spec -> {
            spec.runtime = Runtime.JVM;
            spec.detection = new io.leakguard.api.v1alpha1.DetectionSpec();
            spec.detection.provenLeakGoroutines = 100;
        })).singleElement().asString().contains("provenLeakGoroutines is for Go pods only");
        assertThat(problemsWith(spec -> {
            spec.detection = new io.leakguard.api.v1alpha1.DetectionSpec();
            spec.detection.provenLeakGoroutines = 100;
            spec.diagnostics = new io.leakguard.api.v1alpha1.DiagnosticsSpec();
            spec.diagnostics.threadDump = new io.leakguard.api.v1alpha1.ThreadDumpSpec();
            spec.diagnostics.threadDump.enabled = false;
        })).singleElement().asString().contains("enable it with source GoPprof");
    }

    @Test
    void emptySelectorIsRefusedBecauseItWouldSelectTheWholeNamespace() {
        assertThat(problemsWith(spec -> spec.selector = new LabelSelector()))
                .singleElement().asString().contains("spec.selector is empty").contains("every pod in the namespace");
        assertThat(problemsWith(spec -> spec.selector = null)).singleElement().asString().contains("spec.selector");
    }

    @Test
    void selectorExpressionsFollowTheRulesTheApiServerAppliesToBuiltInSelectors() {
        assertThat(problemsWith(spec -> spec.selector = new LabelSelectorBuilder().addNewMatchExpression()
                .withKey("app").withOperator("In").endMatchExpression().build()))
                .singleElement().asString().contains("spec.selector.matchExpressions[0].values must not be empty");
        assertThat(problemsWith(spec -> spec.selector = new LabelSelectorBuilder().addNewMatchExpression()
                .withKey("app").withOperator("Exists").withValues("x").endMatchExpression().build()))
                .singleElement().asString().contains("must be empty for operator Exists");
        assertThat(problemsWith(spec -> spec.selector = new LabelSelectorBuilder().addNewMatchExpression()
                .withKey("app").withOperator("Equals").withValues("x").endMatchExpression().build()))
                .singleElement().asString().contains("operator 'Equals' is not one of In, NotIn, Exists, DoesNotExist");
    }

    @Test
    void invalidLabelKeysAndValuesAreNamed() {
        assertThat(problemsWith(spec -> spec.selector = new LabelSelectorBuilder()
                .addToMatchLabels("app name", "checkout").build()))
                .singleElement().asString().contains("key 'app name' is not a valid label name");
        assertThat(problemsWith(spec -> spec.selector = new LabelSelectorBuilder()
                .addToMatchLabels("app", "check out!").build()))
                .singleElement().asString().contains("value 'check out!' is not a valid label value");
        assertThat(problemsWith(spec -> spec.selector = new LabelSelectorBuilder()
                .addToMatchLabels("app.kubernetes.io/name", "checkout").build())).isEmpty();
    }

    @Test
    void prometheusSourceNeedsAUrlEvenWhereTheApiServerDoesNotRunCel() {
        assertThat(problemsWith(spec -> spec.metrics.source = MetricsSource.Prometheus))
                .containsExactly("spec.metrics.prometheus.url is required when spec.metrics.source is Prometheus");
        assertThat(problemsWith(spec -> {
            spec.metrics.source = MetricsSource.Prometheus;
            spec.metrics.prometheus = new PrometheusSpec();
            spec.metrics.prometheus.url = "prometheus:9090";
        })).singleElement().asString().contains("spec.metrics.prometheus.url 'prometheus:9090' is not an http or https URL");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"go_goroutines{x}", "go_goroutines{a=b}",
            "go_goroutines{a=\"b\"} or vector(1)", "go_goroutines{a=\"b\",}", "go goroutines",
            "go_goroutines{a=\"x\\\"}\"}", "go_goroutines{a=\"1\",a=\"2\"}"})
    void aMetricSelectorThatSamplingCouldNotParseIsRefusedInsteadOfSilentlyStoppingSampling(String selector) {
        assertThat(problemsWith(spec -> {
            spec.metrics.names = new io.leakguard.api.v1alpha1.MetricNames();
            spec.metrics.names.threads = selector;
        })).singleElement().asString().startsWith("spec.metrics.names.threads: ");
    }

    @Test
    void aMetricSelectorWithLabelMatchersIsAccepted() {
        assertThat(problemsWith(spec -> {
            spec.metrics.names = new io.leakguard.api.v1alpha1.MetricNames();
            spec.metrics.names.heapBaseline = "jvm_memory_used_bytes{area=\"heap\", id=\"G1 Old Gen\"}";
            spec.metrics.names.memory = "container_memory_working_set_bytes{container!=\"\", container!=\"POD\"}";
        })).isEmpty();
    }

    @Test
    void customRuntimeNeedsMetricNames() {
        assertThat(problemsWith(spec -> spec.runtime = Runtime.Custom))
                .singleElement().asString().contains("spec.metrics.names.threads");
    }

    @Test
    void aWindowTooShortForMinSamplesIsExplained() {
        assertThat(problemsWith(spec -> {
            spec.detection.window = "10m";
            spec.metrics.interval = "1m";
        })).containsExactly("spec.detection.window 10m at spec.metrics.interval 1m holds at most 10 samples, fewer than"
                + " spec.detection.minSamples 20; widen the window, sample more often or lower minSamples");
    }

    @Test
    void timeoutLongerThanIntervalIsRefused() {
        assertThat(problemsWith(spec -> spec.metrics.timeout = "20s"))
                .singleElement().asString().contains("spec.metrics.timeout 20s is longer than spec.metrics.interval 15s");
    }

    @Test
    void portNamesFollowContainerPortRules() {
        assertThat(problemsWith(spec -> spec.metrics.port = new IntOrString("http-metrics"))).isEmpty();
        assertThat(problemsWith(spec -> spec.metrics.port = new IntOrString(9090))).isEmpty();
        assertThat(problemsWith(spec -> spec.metrics.port = new IntOrString("9090")))
                .singleElement().asString().contains("write a number without quotes");
        assertThat(problemsWith(spec -> spec.metrics.port = new IntOrString(0)))
                .singleElement().asString().contains("spec.metrics.port 0 is not a port number");
    }

    @Test
    void aTenantCannotMakeTheSharedOperatorReadA64MiBDump() {
        assertThat(problemsWith(spec -> spec.diagnostics.threadDump.maxBytes = "64Mi"))
                .singleElement().asString().contains("maxBytes 64Mi is outside 64Ki to 16Mi");
        assertThat(problemsWith(spec -> spec.diagnostics.threadDump.maxBytes = "16Mi")).isEmpty();
    }

    @Test
    void dumpSettingsAreCheckedAgainstTheRuntime() {
        assertThat(problemsWith(spec -> spec.diagnostics.threadDump.source = DumpSource.JvmJcmd))
                .containsExactly("spec.diagnostics.threadDump.source JvmJcmd needs runtime JVM");
        assertThat(problemsWith(spec -> spec.diagnostics.threadDump.source = DumpSource.Http))
                .containsExactly("spec.diagnostics.threadDump.path is required when source is Http");
        assertThat(problemsWith(spec -> spec.diagnostics.threadDump.maxBytes = "2Gi"))
                .singleElement().asString().contains("spec.diagnostics.threadDump.maxBytes 2Gi is outside 64Ki to 16Mi");
        assertThat(problemsWith(spec -> spec.diagnostics.ignoreTopFunctions = List.of(" ")))
                .singleElement().asString().contains("spec.diagnostics.ignoreTopFunctions[0] is blank");
    }

    @Test
    void aTenantsAlertmanagerUrlCannotReachTheCloudMetadataService() {
        var rules = new io.leakguard.operator.http.EgressRules(List.of(), false, false);
        LeakPolicySpec spec = valid();
        spec.alerting.alertmanager = new io.leakguard.api.v1alpha1.AlertmanagerSpec();
        spec.alerting.alertmanager.urls = List.of("http://169.254.169.254/latest/meta-data/");
        assertThat(PolicyValidator.validate(spec, rules)).singleElement().asString()
                .contains("spec.alerting.alertmanager.urls[0]").contains("link-local");
    }

    @Test
    void alertmanagerUrlsMustBeHttpUrls() {
        assertThat(problemsWith(spec -> {
            spec.alerting.alertmanager = new AlertmanagerSpec();
            spec.alerting.alertmanager.urls = List.of("http://am-0:9093", "am-1:9093");
        })).containsExactly("spec.alerting.alertmanager.urls[1] 'am-1:9093' is not an http or https URL with a host");
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() {
        assertThat(problemsWith(spec -> {
            spec.selector = null;
            spec.remediation.cooldown = "30s";
            spec.detection.confidence = 1.0;
        })).hasSize(3);
    }
}
