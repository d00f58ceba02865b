package io.leakguard.operator.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.leakguard.api.v1alpha1.Runtime;
import io.leakguard.operator.sampling.RuntimeProfile;
import io.leakguard.operator.series.Gauges;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class ExpositionParserTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = ExpositionParserTest.class.getResourceAsStream("/exposition/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static ParseResult all(String text) {
        return ExpositionParser.parse(text, name -> true);
    }

    @Test
    void readsTheGaugesOfARealGoServiceInTheTextFormat() throws IOException {
        // Captured from e2e/workloads/leaky built with Debian's Go 1.19 and client_golang 1.14.
        ParseResult parsed = all(resource("go-client_golang-1.14.txt"));
        assertThat(parsed.malformedLines()).isZero();
        Gauges reading = RuntimeProfile.of(Runtime.Go, null).read(parsed.samples());
        assertThat(reading.threads()).isEqualTo(24.0);
        assertThat(reading.heap()).isEqualTo(1.449984e+06);
        assertThat(reading.memory()).isEqualTo(9.764864e+06);
        assertThat(parsed.samples()).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("go_gc_duration_seconds");
            assertThat(s.labels()).containsEntry("quantile", "0.5");
        });
    }

    @Test
    void readsTheSameServiceInOpenMetricsUpToEof() throws IOException {
        ParseResult parsed = all(resource("go-client_golang-1.14-openmetrics.txt") + "go_goroutines 99999\n");
        assertThat(parsed.malformedLines()).isZero();
        Gauges reading = RuntimeProfile.of(Runtime.Go, null).read(parsed.samples());
        assertThat(reading.threads()).as("nothing after # EOF is read").isLessThan(99999);
        assertThat(reading.heap()).isPositive();
    }

    @Test
    void readsMicrometersPrometheusRegistryForAJvmService() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmThreadMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        String text = registry.scrape();

        ParseResult parsed = all(text);

        assertThat(parsed.malformedLines()).as("first problem: %s", parsed.firstProblem()).isZero();
        Gauges reading = RuntimeProfile.of(Runtime.JVM, null).read(parsed.samples());
        assertThat(reading.threads()).isEqualTo((double) Thread.activeCount(), within(50.0));
        assertThat(reading.heap()).as("jvm_gc_live_data_size_bytes or heap in use").isNotNaN();
    }

    @Test
    void readsMicrometersSimpleclientRegistryAsQuarkusServicesExposeIt() {
        var registry = new io.micrometer.prometheus.PrometheusMeterRegistry(io.micrometer.prometheus.PrometheusConfig.DEFAULT);
        new JvmThreadMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        ParseResult parsed = all(registry.scrape());
        assertThat(parsed.malformedLines()).as("first problem: %s", parsed.firstProblem()).isZero();
        Gauges reading = RuntimeProfile.of(Runtime.JVM, null).read(parsed.samples());
        assertThat(reading.threads()).isPositive();
        assertThat(reading.heap()).isPositive();
    }

    @Test
    void readsMicrometersOpenMetricsOutput() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmThreadMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        String text = registry.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8");
        ParseResult parsed = all(text);
        assertThat(parsed.malformedLines()).as("first problem: %s", parsed.firstProblem()).isZero();
        assertThat(RuntimeProfile.of(Runtime.JVM, null).read(parsed.samples()).threads()).isPositive();
    }

    @Test
    void handlesEscapesTimestampsSpecialValuesAndExemplars() {
        String text = """
                # HELP weird A "help" with \\\\ escapes
                # TYPE weird gauge
                weird{path="C:\\\\temp",msg="say \\"hi\\"\\nbye",empty=""} 1.5e3 1700000000000
                nan_gauge NaN
                up_inf +Inf
                down_inf -Inf
                trailing_comma{a="1",} 2
                spaced { a = "1" , b="2" } 3
                requests_total{code="200"} 12.0 1700000000.123 # {trace_id="abc"} 1.0 1700000000.000
                {"my.dotted.metric", env="prod"} 7
                # EOF
                """;
        List<Sample> samples = all(text).samples();
        assertThat(all(text).malformedLines()).as(all(text).firstProblem()).isZero();
        Sample weird = samples.get(0);
        assertThat(weird.labels()).containsExactlyInAnyOrderEntriesOf(Map.of("path", "C:\\temp", "msg", "say \"hi\"\nbye", "empty", ""));
        assertThat(weird.value()).isEqualTo(1500.0);
        assertThat(samples.get(1).value()).isNaN();
        assertThat(samples.get(2).value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(samples.get(3).value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(samples.get(4).labels()).containsEntry("a", "1");
        assertThat(samples.get(5).labels()).containsEntry("b", "2");
        assertThat(samples.get(6).value()).isEqualTo(12.0);
        assertThat(samples.get(7).name()).isEqualTo("my.dotted.metric");
        assertThat(samples.get(7).labels()).containsEntry("env", "prod");
    }

    @Test
    void histogramsAndSummariesParseIntoTheirSeries() {
        String text = """
                # TYPE rpc_seconds histogram
                rpc_seconds_bucket{le="0.1"} 3
                rpc_seconds_bucket{le="+Inf"} 5
                rpc_seconds_sum 1.2
                rpc_seconds_count 5
                """;
        assertThat(all(text).samples()).extracting(Sample::name)
                .containsExactly("rpc_seconds_bucket", "rpc_seconds_bucket", "rpc_seconds_sum", "rpc_seconds_count");
    }

    @Test
    void malformedLinesAreCountedDescribedAndSkippedWhileGoodLinesSurvive() {
        String text = """
                go_goroutines 12
                go_memstats_heap_inuse_bytes twelve
                broken{a="1" 3
                process_resident_memory_bytes 1e6 extra tokens
                {unterminated
                1starts_with_digit 4
                go_threads 7
                """;
        ParseResult parsed = all(text);
        assertThat(parsed.samples()).extracting(Sample::name).containsExactly("go_goroutines", "go_threads");
        assertThat(parsed.malformedLines()).isEqualTo(5);
        assertThat(parsed.firstProblem()).isEqualTo("line 2: 'twelve' is not a number");
    }

    @Test
    void onlyWantedNamesAreMaterialised() {
        ParseResult parsed = ExpositionParser.parse("a 1\nb{x=\"y\"} 2\nc 3\n", Set.of("b")::contains);
        assertThat(parsed.samples()).containsExactly(new Sample("b", Map.of("x", "y"), 2));
    }

    @Test
    void namesMatchedInPlaceKeepExactlyTheSamplesASetKeeps() throws IOException {
        String exposition = resource("go-client_golang-1.14.txt");
        // Names of one length sharing a prefix, a name that is a prefix of another, and the quoted form.
        Set<String> names = Set.of("go_goroutines", "go_threads", "go_memstats_heap_inuse_bytes",
                "go_memstats_heap_idle_bytes", "go_memstats_heap_sys_bytes", "go_memstats_heap", "process_resident_memory_bytes");
        String text = exposition + "{\"go_threads\"} 7\ngo_goroutinesX 5\n";
        ParseResult bySet = ExpositionParser.parse(text, names::contains);
        ParseResult inPlace = ExpositionParser.parse(text, WantedNames.of(names));
        assertThat(inPlace.samples()).isEqualTo(bySet.samples()).hasSize(7);
        assertThat(inPlace.samples()).extracting(Sample::name).doesNotContain("go_goroutinesX", "go_memstats_heap");
        assertThat(WantedNames.of(names).test("go_memstats_heap_sys_bytes")).isTrue();
        assertThat(WantedNames.of(names).test("go_memstats_heap_sys_bytez")).isFalse();
        assertThat(WantedNames.of(Set.of()).test("a")).isFalse();
    }

    @Test
    void windowsLineEndingsAndBlankLinesAreFine() {
        ParseResult parsed = all("a 1\r\n\r\n  \r\nb 2\r\n");
        assertThat(parsed.malformedLines()).isZero();
        assertThat(parsed.samples()).hasSize(2);
    }
}
