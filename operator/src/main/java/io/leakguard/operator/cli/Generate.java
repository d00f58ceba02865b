package io.leakguard.operator.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.leakguard.operator.evaluation.GoRuntimeModel;
import io.leakguard.operator.evaluation.JvmRoughModel;
import io.leakguard.operator.evaluation.JvmRuntimeModel;
import io.leakguard.operator.evaluation.Trace;
import io.leakguard.operator.evaluation.TraceGenerator;

/**
 * {@code generate --output DIR [--corpus gauges|go-runtime|go-rough|jvm-runtime|jvm-rough] [--seed N] [--per-scenario N] [--hours H]}: writes the labelled traces
 * as Prometheus query_range responses, one file per pod, and their truth in {@code truth.tsv} (not
 * {@code *.json}, so a backtest of the directory reads only the series).
 */
final class Generate {

    /** Traces start at this Unix time, so that files are reproducible. */
    static final long EPOCH_SECONDS = 1_700_000_000L;

    private Generate() {
    }

    static int run(Map<String, String> options, PrintStream err) throws IOException {
        String output = options.get("output");
        if (output == null) {
            throw new OfflineCommands.UsageException("--output is required");
        }
        Path dir = Files.createDirectories(Path.of(output));
        long seed = Long.parseLong(options.getOrDefault("seed", "42"));
        int perScenario = Integer.parseInt(options.getOrDefault("per-scenario", "1"));
        long hours = Long.parseLong(options.getOrDefault("hours", "6"));
        List<Trace> traces = switch (options.getOrDefault("corpus", "gauges")) {
            case "gauges" -> new TraceGenerator(seed).corpus(perScenario, 15, hours * 3600);
            case "go-rough" -> new GoRuntimeModel(seed, true).corpus(perScenario, 15, hours * 3600);
            case "go-runtime" -> new GoRuntimeModel(seed).corpus(perScenario, 15, hours * 3600);
            case "jvm-runtime" -> new JvmRuntimeModel(seed).corpus(perScenario, 15, hours * 3600);
            case "jvm-rough" -> new JvmRoughModel(seed).corpus(perScenario, 15, hours * 3600);
            default -> throw new OfflineCommands.UsageException(
                    "--corpus must be gauges, go-runtime, go-rough, jvm-runtime or jvm-rough");
        };
        StringBuilder truth = new StringBuilder("namespace\tpod\tscenario\tleaking\toom_at\n");
        for (Trace trace : traces) {
            String pod = trace.name().toLowerCase(Locale.ROOT);
            write(dir.resolve(pod + ".json"), trace, pod);
            truth.append("eval\t").append(pod).append('\t').append(trace.scenario()).append('\t')
                    .append(trace.leaking()).append('\t')
                    .append(Double.isNaN(trace.oomAtSeconds()) ? "-" : EPOCH_SECONDS + Math.round(trace.oomAtSeconds()))
                    .append('\n');
        }
        Files.writeString(dir.resolve("truth.tsv"), truth);
        err.println("generate: " + traces.size() + " pods written to " + dir);
        return LeakGuardMain.OK;
    }

    static void write(Path file, Trace trace, String pod) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
                JsonGenerator json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("status", "success");
            json.writeObjectFieldStart("data");
            json.writeStringField("resultType", "matrix");
            json.writeArrayFieldStart("result");
            if (trace.jvm()) {
                series(json, trace, pod, Map.of("__name__", "jvm_threads_live_threads"), trace.threads());
                series(json, trace, pod, Map.of("__name__", "jvm_gc_live_data_size_bytes"), trace.heap());
                double[] max = new double[trace.length()];
                Arrays.fill(max, trace.heapMaxBytes());
                series(json, trace, pod, Map.of("__name__", "jvm_gc_max_data_size_bytes"), max);
                if (trace.heapCommitted() != null) {
                    series(json, trace, pod, Map.of("__name__", "jvm_memory_committed_bytes", "area", "heap",
                            "id", "G1 Old Gen"), trace.heapCommitted());
                }
                if (trace.heapUsed() != null) {
                    series(json, trace, pod, Map.of("__name__", "jvm_memory_used_bytes", "area", "heap"), trace.heapUsed());
                }
            } else {
                series(json, trace, pod, Map.of("__name__", "go_goroutines"), trace.threads());
                series(json, trace, pod, Map.of("__name__", "go_memstats_heap_inuse_bytes"), trace.heap());
                // As Go reports it: math.MaxInt64 when GOMEMLIMIT is unset.
                double[] soft = new double[trace.length()];
                Arrays.fill(soft, Double.isNaN(trace.softLimitBytes()) ? (double) Long.MAX_VALUE : trace.softLimitBytes());
                series(json, trace, pod, Map.of("__name__", "go_gc_gomemlimit_bytes"), soft);
            }
            series(json, trace, pod, Map.of("__name__", "process_resident_memory_bytes"), trace.memory());
            if (trace.allocated() != null) {
                series(json, trace, pod, Map.of("__name__", trace.jvm() ? "jvm_gc_memory_allocated_bytes_total"
                        : "go_memstats_alloc_bytes_total"), trace.allocated());
            }
            double[] limit = new double[trace.length()];
            Arrays.fill(limit, trace.memoryLimitBytes());
            series(json, trace, pod, Map.of("__name__", "kube_pod_container_resource_limits", "resource", "memory",
                    "unit", "byte", "container", "app"), limit);
            json.writeEndArray();
            json.writeEndObject();
            json.writeEndObject();
        }
    }

    private static void series(JsonGenerator json, Trace trace, String pod, Map<String, String> labels, double[] values)
            throws IOException {
        json.writeStartObject();
        json.writeObjectFieldStart("metric");
        for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            json.writeStringField(label.getKey(), label.getValue());
        }
        json.writeStringField("namespace", "eval");
        json.writeStringField("pod", pod);
        json.writeEndObject();
        json.writeArrayFieldStart("values");
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i])) {
                continue; // a missed scrape: no point, as Prometheus stores it
            }
            json.writeStartArray();
            json.writeNumber(EPOCH_SECONDS + trace.timeSeconds(i));
            json.writeString(Double.toString(values[i]));
            json.writeEndArray();
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
