package io.leakguard.operator.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.leakguard.api.v1alpha1.LeakPolicy;
import io.leakguard.operator.backtest.Backtester;
import io.leakguard.operator.prometheus.PromSeries;
import io.leakguard.operator.prometheus.QueryRangeReader;
import io.leakguard.operator.sampling.RuntimeProfile;
import io.leakguard.operator.spec.PolicyValidator;

/** {@code backtest --policy POLICY.yaml --series DIR [--output report.json]}: what LeakGuard would have done. */
final class Backtest {

    private Backtest() {
    }

    static int run(Map<String, String> options, PrintStream out, PrintStream err) throws IOException {
        String policyFile = require(options, "policy");
        Path dir = Path.of(require(options, "series"));
        LeakPolicy policy = readPolicy(Path.of(policyFile));
        if (!Files.isDirectory(dir)) {
            throw new QueryRangeReader.BadInputException(dir + ": not a directory of query_range *.json files");
        }
        RuntimeProfile profile = RuntimeProfile.of(policy.getSpec().runtime, policy.getSpec().metrics.names);
        List<PromSeries> series = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new QueryRangeReader.BadInputException(dir + ": no *.json files");
        }
        long[] points = new long[2];
        for (Path file : files) {
            series.addAll(QueryRangeReader.read(file, labels -> Backtester.wanted(labels, profile), points));
        }
        Map<String, Backtester.PodData> byPod = Backtester.byPod(series, profile);
        if (byPod.isEmpty()) {
            throw new QueryRangeReader.BadInputException(dir + ": no series with namespace and pod labels for "
                    + profile.describe());
        }
        for (var entry : byPod.entrySet()) {
            if (!entry.getValue().hasLimit()) {
                throw new QueryRangeReader.BadInputException(dir + ": pod " + entry.getKey() + " has no memory limit:"
                        + " export kube_pod_container_resource_limits{resource=\"memory\"} or"
                        + " container_spec_memory_limit_bytes for it too");
            }
        }
        List<Backtester.PodResult> results = Backtester.run(policy.getSpec(), byPod);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        String report = json.writeValueAsString(Map.of("pods", results));
        if (options.containsKey("output")) {
            Files.writeString(Path.of(options.get("output")), report);
            err.println("backtest: " + results.size() + " pods, report written to " + options.get("output"));
        } else {
            out.println(report);
        }
        return LeakGuardMain.OK;
    }

    static LeakPolicy readPolicy(Path file) throws IOException {
        LeakPolicy policy;
        try {
            if (Files.exists(file) && Files.size(file) > 1 << 20) {
                throw new QueryRangeReader.BadInputException(file + ": " + Files.size(file)
                        + " bytes is too large for a LeakPolicy manifest (the API server takes at most 1 MiB)");
            }
            policy = Serialization.unmarshal(Files.readString(file), LeakPolicy.class);
        } catch (NoSuchFileException e) {
            throw new QueryRangeReader.BadInputException(file + ": no such file");
        } catch (RuntimeException e) {
            throw new QueryRangeReader.BadInputException(file + ": not a LeakPolicy manifest ("
                    + rootMessage(e) + ")");
        }
        if (policy == null || policy.getSpec() == null) {
            throw new QueryRangeReader.BadInputException(file + ": not a LeakPolicy manifest (no spec)");
        }
        List<String> problems = PolicyValidator.validate(policy.getSpec());
        if (!problems.isEmpty()) {
            throw new QueryRangeReader.BadInputException(file + ": " + String.join("; ", problems));
        }
        return policy;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    private static String require(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new OfflineCommands.UsageException("--" + name + " is required");
        }
        return value;
    }
}
