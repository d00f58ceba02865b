package io.leakguard.operator.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.leakguard.api.v1alpha1.DetectionSpec;
import io.leakguard.api.v1alpha1.MetricsSpec;
import io.leakguard.operator.detection.DetectorSettings;
import org.junit.jupiter.api.Test;

/** The rough Go corpus is the smooth model's pods under rougher conditions, not a relabelled copy. */
class GoRoughCorpusTest {

    private static final long HOURS_8 = 8 * 3600;

    @Test
    void roughPodsLoseScrapesForMinutesWhichSmoothPodsNeverDo() {
        List<Trace> rough = new GoRuntimeModel(42, true).corpus(3, 15, HOURS_8);
        List<Trace> smooth = new GoRuntimeModel(42).corpus(3, 15, HOURS_8);
        long roughOutages = rough.stream().filter(t -> longestGap(t.memory()) >= 4).count();
        long smoothOutages = smooth.stream().filter(t -> longestGap(t.memory()) >= 4).count();
        assertThat(roughOutages).as("traces with a minute or more of missed scrapes").isGreaterThan(rough.size() / 5);
        assertThat(smoothOutages).isZero();
        assertThat(rough).allSatisfy(t -> assertThat(t.name()).startsWith("go-rough-"));
    }

    @Test
    void roughHealthyPodsSwingTheirGoroutinesMoreThanSmoothOnes() {
        double rough = medianSwing(new GoRuntimeModel(7, true).corpus(3, 15, HOURS_8));
        double smooth = medianSwing(new GoRuntimeModel(7).corpus(3, 15, HOURS_8));
        assertThat(rough).as("median of healthy pods' goroutine range over their mean").isGreaterThan(smooth * 1.2);
    }

    @Test
    void theDetectorStillCatchesMostRoughLeaksBeforeTheirOom() {
        List<Trace> rough = new GoRuntimeModel(11, true).corpus(2, 15, HOURS_8);
        Evaluation.Score score = Evaluation.score(
                Evaluation.leakGuard(DetectorSettings.from(new DetectionSpec(), new MetricsSpec())), rough);
        assertThat(score.oomBoundLeaks()).isPositive();
        assertThat(score.recall()).as("OOM-bound leaks flagged 5 minutes before their OOM").isGreaterThan(0.9);
    }

    private static int longestGap(double[] values) {
        int longest = 0;
        int run = 0;
        for (double v : values) {
            run = Double.isNaN(v) ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest;
    }

    private static double medianSwing(List<Trace> traces) {
        return traces.stream().filter(t -> !t.leaking()).mapToDouble(t -> {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            int n = 0;
            for (double v : t.threads()) {
                if (!Double.isNaN(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    sum += v;
                    n++;
                }
            }
            return (max - min) / (sum / n);
        }).sorted().skip(traces.stream().filter(t -> !t.leaking()).count() / 2).findFirst().orElseThrow();
    }
}
