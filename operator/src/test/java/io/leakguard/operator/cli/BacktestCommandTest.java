package io.leakguard.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leakguard.operator.evaluation.JvmRuntimeModel;
import io.leakguard.operator.evaluation.Trace;
import io.leakguard.operator.evaluation.TraceGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline backtest as a user runs it: files in, JSON report or a clear error with exit code 2 out. */
class BacktestCommandTest {

    @TempDir
    Path dir;
    Path series;
    Path policy;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();
    Trace leak;

    private static final String POLICY = """
            apiVersion: leakguard.io/v1alpha1
            kind: LeakPolicy
            metadata: {name: checkout, namespace: eval}
            spec:
              selector: {matchLabels: {app: checkout}}
              runtime: Go
            """;

    @BeforeEach
    void writeFixture() throws IOException {
        series = Files.createDirectories(dir.resolve("series"));
        policy = Files.writeString(dir.resolve("policy.yaml"), POLICY);
        TraceGenerator generator = new TraceGenerator(99);
        leak = generator.generate(TraceGenerator.Scenario.FastLeak, "fast", 15, 3 * 3600);
        Generate.write(series.resolve("fast.json"), leak, "fast");
        Generate.write(series.resolve("calm.json"),
                generator.generate(TraceGenerator.Scenario.SawtoothFastGc, "calm", 15, 3 * 3600), "calm");
    }

    private int backtest(String... extra) {
        String[] args = new String[5 + extra.length];
        args[0] = "backtest";
        args[1] = "--policy";
        args[2] = policy.toString();
        args[3] = "--series";
        args[4] = series.toString();
        System.arraycopy(extra, 0, args, 5, extra.length);
        return OfflineCommands.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** The JVM example policy in place of the Go fixture's, and the fixture's series gone. */
    private void useTheJvmExampleOnNoSeries() throws IOException {
        Files.writeString(policy, Files.readString(Path.of("../examples/jvm-service.yaml")));
        try (var files = Files.list(series)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void reportsTheLeakBeforeItsOomAndLeavesTheHealthyPodAlone() throws IOException {
        Path report = dir.resolve("report.json");
        assertThat(backtest("--output", report.toString())).isZero();

        JsonNode pods = new ObjectMapper().readTree(report.toFile()).get("pods");
        assertThat(pods).hasSize(2);
        JsonNode calm = pods.get(0);
        JsonNode fast = pods.get(1);
        assertThat(calm.get("pod").asText()).isEqualTo("calm");
        assertThat(calm.get("firstLeakingAt").isNull()).isTrue();
        assertThat(calm.get("verdict").asText()).isIn("Healthy", "Suspect");
        assertThat(fast.get("pod").asText()).isEqualTo("fast");
        assertThat(fast.get("namespace").asText()).isEqualTo("eval");
        long oomAt = Generate.EPOCH_SECONDS + Math.round(leak.oomAtSeconds());
        assertThat(fast.get("firstLeakingAt").asLong()).as("restart time, Unix seconds").isLessThan(oomAt - 300);
        assertThat(fast.get("firstSuspectAt").asLong()).isLessThanOrEqualTo(fast.get("firstLeakingAt").asLong());
        assertThat(fast.get("heapSlopeBytesPerHour").asDouble()).isPositive();
        for (String field : new String[] {"verdict", "reason", "projectedOomAt", "threadSlopePerHour"}) {
            assertThat(fast.has(field)).as("field %s", field).isTrue();
        }
    }

    @Test
    void aJvmPolicyReadsTheHeapMaxAndProjectsOutOfMemoryError() throws IOException {
        useTheJvmExampleOnNoSeries();
        JvmRuntimeModel model = new JvmRuntimeModel(5);
        Trace heapLeak = model.generate(JvmRuntimeModel.Kind.HeapLeak, "heap", 30, 4 * 3600);
        Generate.write(series.resolve("heap.json"), heapLeak, "heap");
        Generate.write(series.resolve("steady.json"), model.generate(JvmRuntimeModel.Kind.Steady, "steady", 30, 4 * 3600),
                "steady");
        Path report = dir.resolve("report.json");
        assertThat(backtest("--output", report.toString())).as(errors()).isZero();

        JsonNode pods = new ObjectMapper().readTree(report.toFile()).get("pods");
        JsonNode heap = pods.get(0);
        JsonNode steady = pods.get(1);
        assertThat(heapLeak.death()).isEqualTo(Trace.OUT_OF_MEMORY_ERROR);
        long diesAt = Generate.EPOCH_SECONDS + Math.round(heapLeak.oomAtSeconds());
        assertThat(heap.get("firstLeakingAt").asLong()).as("restart time, Unix seconds").isLessThan(diesAt - 300);
        assertThat(heap.get("reason").asText()).contains("heap max (OutOfMemoryError)");
        assertThat(steady.get("firstLeakingAt").isNull()).as(steady.toString()).isTrue();
    }

    @Test
    void aJvmThatExportsNoResidentSetHasItsMetaspaceLeakCaughtFromItsContainersWorkingSetAlone() throws IOException {
        // A real JVM leaking metaspace until the kernel killed it (docs/corpus/recorded), as a Prometheus holds a
        // Micrometer-instrumented service: no process_resident_memory_bytes, only cAdvisor's working sets.
        useTheJvmExampleOnNoSeries();
        ObjectMapper json = new ObjectMapper();
        ObjectNode recording = (ObjectNode) json.readTree(Path.of("../docs/corpus/recorded/jvm-metaspace-leak.json").toFile());
        ArrayNode result = (ArrayNode) recording.at("/data/result");
        ArrayNode appOnly = json.createArrayNode();
        JsonNode workingSet = null;
        for (JsonNode s : result) {
            String name = s.at("/metric/__name__").asText();
            if (!name.equals("process_resident_memory_bytes")) {
                appOnly.add(s);
            }
            if (name.equals("container_memory_working_set_bytes")) {
                workingSet = s;
            }
        }
        assertThat(workingSet).isNotNull();
        ((ObjectNode) recording.get("data")).set("result", appOnly);
        json.writeValue(series.resolve("jvm.json").toFile(), recording);
        long diedAt = diedAt("jvm-metaspace-leak");

        Path alone = dir.resolve("alone.json");
        assertThat(backtest("--output", alone.toString())).as(errors()).isZero();
        JsonNode judged = json.readTree(alone.toFile()).get("pods").get(0);
        assertThat(judged.get("firstLeakingAt").isNull()).as(judged.toString()).isFalse();
        assertThat(judged.get("firstLeakingAt").asLong()).as("restart time, Unix seconds").isLessThanOrEqualTo(diedAt - 300);

        // cAdvisor also reports the pod's own cgroup, its sandbox and a sidecar whose memory climbs: none of them
        // is the application's memory, judged against the application's limit.
        ArrayNode withCadvisor = appOnly.deepCopy();
        withCadvisor.add(shifted(json, workingSet, null, 64, 0));
        withCadvisor.add(shifted(json, workingSet, "POD", 1, 0));
        withCadvisor.add(shifted(json, workingSet, "proxy", 10, 300));
        ObjectNode proxyLimit = json.createObjectNode();
        proxyLimit.set("metric", json.valueToTree(java.util.Map.of("__name__", "kube_pod_container_resource_limits",
                "namespace", "recorded", "pod", "jvm-metaspace-leak", "container", "proxy", "resource", "memory")));
        proxyLimit.set("values", json.readTree("[[" + workingSet.at("/values/0/0").asText() + ",\"134217728\"]]"));
        withCadvisor.add(proxyLimit);
        ((ObjectNode) recording.get("data")).set("result", withCadvisor);
        json.writeValue(series.resolve("jvm.json").toFile(), recording);
        Path crowded = dir.resolve("crowded.json");
        assertThat(backtest("--output", crowded.toString())).as(errors()).isZero();
        assertThat(json.readTree(crowded.toFile()).get("pods").get(0).get("firstLeakingAt"))
                .isEqualTo(judged.get("firstLeakingAt"));
    }

    /** The working set's series for another cgroup: {@code fromMib} MiB, climbing {@code climbMib} over the recording. */
    private static ObjectNode shifted(ObjectMapper json, JsonNode workingSet, String container, double fromMib,
            double climbMib) {
        ObjectNode copy = workingSet.deepCopy();
        ObjectNode metric = (ObjectNode) copy.get("metric");
        if (container == null) {
            metric.remove("container");
        } else {
            metric.put("container", container);
        }
        ArrayNode values = (ArrayNode) copy.get("values");
        for (int i = 0; i < values.size(); i++) {
            double own = container == null ? values.get(i).get(1).asDouble() : 0;
            double v = own + (fromMib + climbMib * i / values.size()) * 1024 * 1024;
            ((ArrayNode) values.get(i)).set(1, json.getNodeFactory().textNode(Long.toString((long) v)));
        }
        return copy;
    }

    private static long diedAt(String pod) throws IOException {
        for (String line : Files.readAllLines(Path.of("../docs/corpus/recorded/truth.tsv"))) {
            String[] f = line.split("\t");
            if (f[1].equals(pod)) {
                return Long.parseLong(f[7]);
            }
        }
        throw new IllegalStateException(pod + " is not in truth.tsv");
    }

    @Test
    void writesToStdoutWithoutOutput() {
        assertThat(backtest()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"pods\"").contains("\"fast\"");
    }

    @Test
    void aFileThatIsNotJsonIsNamedWithExitCode2() throws IOException {
        Files.writeString(series.resolve("broken.json"), "this is not json");
        assertThat(backtest()).isEqualTo(2);
        assertThat(errors()).contains("broken.json").contains("not JSON");
    }

    @Test
    void anInstantVectorIsRefusedWithAHint() throws IOException {
        Files.writeString(series.resolve("vector.json"), """
                {"status":"success","data":{"resultType":"vector","result":[]}}""");
        assertThat(backtest()).isEqualTo(2);
        assertThat(errors()).contains("vector.json").contains("resultType is 'vector'").contains("query_range");
    }

    @Test
    void aPodWithoutAMemoryLimitIsNamed() throws IOException {
        Files.writeString(series.resolve("nolimit.json"), """
                {"status":"success","data":{"resultType":"matrix","result":[
                 {"metric":{"__name__":"go_goroutines","namespace":"eval","pod":"orphan"},"values":[[1700000000,"10"]]}]}}""");
        assertThat(backtest()).isEqualTo(2);
        assertThat(errors()).contains("eval/orphan has no memory limit");
    }

    @Test
    void aBadPolicyIsExplained() throws IOException {
        Files.writeString(policy, POLICY.replace("runtime: Go", "runtime: Go\n  metrics: {source: Prometheus}"));
        assertThat(backtest()).isEqualTo(2);
        assertThat(errors()).contains("policy.yaml").contains("spec.metrics.prometheus.url is required");
    }

    private static String matrix(String values) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":"
                + "{\"__name__\":\"go_goroutines\",\"namespace\":\"eval\",\"pod\":\"odd\"},\"values\":[" + values + "]}]}}";
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "[1e300,\"1\"]|is not a Unix time",
        "[-5,\"1\"]|is not a Unix time",
        "[1700000015,\"1\"],[1700000000,\"1\"]|timestamps go back or repeat",
        "[1700000000,\"1\"],[1700000000,\"1\"]|timestamps go back or repeat",
        "[1700000000,\"+Inf\"]|is not a finite number",
        "[1700000000,\"1e309\"]|is not a finite number",
        "[1700000000,\"lots\"]|is not a finite number",
        "[\"soon\",\"1\"]|is not [timestamp, \"value\"]"})
    void aSeriesWithImpossibleSamplesExitsWith2NamingTheFileInsteadOfHangingOrGuessing(String values, String says)
            throws IOException {
        Files.writeString(series.resolve("odd.json"), matrix(values));
        assertThat(backtest()).isEqualTo(2);
        assertThat(errors()).contains("odd.json").contains(says);
    }

    @Test
    void aPolicyWithMetricsNullIsExplainedNotANullPointerException() throws IOException {
        Files.writeString(policy, POLICY.replace("runtime: Go", "runtime: Go\n  metrics: null"));
        assertThat(backtest()).isEqualTo(2);
        assertThat(errors()).contains("policy.yaml").contains("spec.metrics is null");
    }

    @Test
    void aYamlAliasBombIsRefusedWithExit2() throws IOException {
        StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'z'; c++) {
            char prev = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [*").append(prev);
            for (int i = 0; i < 8; i++) {
                bomb.append(",*").append(prev);
            }
            bomb.append("]\n");
        }
        Files.writeString(policy, bomb + POLICY);
        assertThat(backtest()).isEqualTo(2);
        assertThat(errors()).contains("policy.yaml");
    }

    @Test
    void tooManySeriesIsRefusedBeforeTheHeapRunsOut() throws IOException {
        StringBuilder many = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
        for (int pod = 0; pod < 50_001; pod++) {
            many.append(pod == 0 ? "" : ",").append("{\"metric\":{\"__name__\":\"go_goroutines\",\"namespace\":\"eval\","
                    + "\"pod\":\"p").append(pod).append("\"},\"values\":[[1700000000,\"1\"]]}");
        }
        Files.writeString(series.resolve("many.json"), many.append("]}}"));
        assertThat(backtest()).isEqualTo(2);
        assertThat(errors()).contains("many.json").contains("more than 50000 series");
    }

    @Test
    void aMissingOptionIsAUsageError() {
        int code = OfflineCommands.run(new String[] {"backtest", "--series", series.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(errors()).contains("--policy is required").contains("usage:");
    }
}
