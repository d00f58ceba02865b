package io.leakguard.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import io.leakguard.api.v1alpha1.DetectionSpec;
import io.leakguard.api.v1alpha1.MetricsSpec;
import io.leakguard.operator.evaluation.Evaluation;
import io.leakguard.operator.evaluation.Trace;
import io.leakguard.operator.evaluation.TraceGenerator;
import org.junit.jupiter.api.Test;

/**
 * Golden test: two traces of every scenario (fixed seed) replayed through the detector with the
 * default policy. The file records, per trace, its first Suspect and first Leaking minute, the OOM
 * minute and the final verdict. A change in behaviour shows as a diff; when it is intended,
 * regenerate with {@code ./mvnw -pl operator test -Dtest=TrendDetectorGoldenTest -Dleakguard.updateGolden=true}.
 */
class TrendDetectorGoldenTest {

    private static final Path GOLDEN = Path.of("src/test/resources/detector/scenarios.golden.tsv");

    @Test
    void everyScenarioIsJudgedAsRecorded() throws IOException {
        DetectorSettings settings = DetectorSettings.from(new DetectionSpec(), new MetricsSpec());
        StringBuilder actual = new StringBuilder("trace\tleaking\tfirst_suspect_min\tfirst_leaking_min\toom_min\tfinal\n");
        TraceGenerator generator = new TraceGenerator(1234);
        for (TraceGenerator.Scenario scenario : TraceGenerator.Scenario.values()) {
            for (int i = 0; i < 2; i++) {
                Trace trace = generator.generate(scenario, scenario.name() + "-" + i, 15, 6 * 3600);
                actual.append(replay(trace, settings)).append('\n');
            }
        }
        if (Boolean.getBoolean("leakguard.updateGolden")) {
            Files.writeString(GOLDEN, actual);
        }
        assertThat(actual.toString()).isEqualTo(Files.readString(GOLDEN));
    }

    @Test
    void noHealthyScenarioIsEverLeakingAndEveryOomBoundLeakIsCaughtBeforeItsOom() throws IOException {
        for (String line : Files.readAllLines(GOLDEN).subList(1, Files.readAllLines(GOLDEN).size())) {
            String[] f = line.split("\t");
            boolean leaking = Boolean.parseBoolean(f[1]);
            if (!leaking) {
                assertThat(f[3]).as("healthy trace %s must never be Leaking", f[0]).isEqualTo("-");
            } else if (!f[4].equals("-")) {
                assertThat(f[3]).as("leak %s must be caught", f[0]).isNotEqualTo("-");
                assertThat(Double.parseDouble(f[3])).as("leak %s caught before its OOM", f[0])
                        .isLessThan(Double.parseDouble(f[4]));
            }
        }
    }

    private static String replay(Trace trace, DetectorSettings settings) {
        String[] firstSuspect = {"-"};
        String[] firstLeaking = {"-"};
        Verdict[] last = {null};
        Evaluation.replay(trace, settings, (i, verdict) -> {
            last[0] = verdict;
            String minute = String.format(Locale.ROOT, "%.1f", trace.timeSeconds(i) / 60.0);
            if (verdict.kind() == VerdictKind.Suspect && firstSuspect[0].equals("-")) {
                firstSuspect[0] = minute;
            }
            if (verdict.kind() == VerdictKind.Leaking && firstLeaking[0].equals("-")) {
                firstLeaking[0] = minute;
            }
            return true;
        });
        String oom = Double.isNaN(trace.oomAtSeconds()) ? "-" : String.format(Locale.ROOT, "%.1f", trace.oomAtSeconds() / 60.0);
        return String.join("\t", trace.name(), String.valueOf(trace.leaking()), firstSuspect[0], firstLeaking[0], oom,
                last[0] == null ? "-" : last[0].kind().name());
    }
}
