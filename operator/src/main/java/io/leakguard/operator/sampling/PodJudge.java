package io.leakguard.operator.sampling;

import io.leakguard.operator.detection.Ceilings;
import io.leakguard.operator.detection.DetectorScratch;
import io.leakguard.operator.detection.DetectorSettings;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.detection.ProvenLeaks;
import io.leakguard.operator.detection.TrendDetector;
import io.leakguard.operator.detection.Verdict;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.state.PodHistory;
import io.leakguard.operator.state.SeriesStore;
import io.leakguard.operator.tracking.TrackedPod;

/**
 * Records a reading in the pod's series and judges it with the {@link TrendDetector}. A failed reading
 * records nothing: the pod is judged on the history it has, and never restarted on missing data.
 */
final class PodJudge {

    /** The detector's working space, one per judging thread, so that judging a pod allocates nothing. */
    private final ThreadLocal<DetectorScratch> scratch = ThreadLocal.withInitial(DetectorScratch::new);
    private final SeriesStore store;

    PodJudge(SeriesStore store) {
        this.store = store;
    }

    /**
     * @param proven what the pod's Go leak profile proved when last read, or null
     * @param provenMaxAgeMillis how old a proof may be and still count
     */
    PodJudgement judge(Round round, TrackedPod pod, ScrapeResult result, long now, ProvenLeaks proven,
            long provenMaxAgeMillis) {
        DetectorSettings settings = round.settings();
        PodHistory history;
        if (result.succeeded()) {
            history = store.record(round.seriesKey(pod), pod.lifeKey(), pod.lifeStartMillis(), settings.bucketMillis(),
                    DetectorSettings.BUCKETS, now, result.reading());
        } else {
            history = store.history(round.seriesKey(pod)).filter(h -> h.series().lifeKey().equals(pod.lifeKey()))
                    .orElse(null);
        }
        Verdict verdict;
        if (history == null) {
            verdict = Verdict.insufficient(0, "no sample yet: " + result.error());
        } else {
            synchronized (history.series()) {
                verdict = TrendDetector.evaluate(history.series(), history.trends(), scratch.get(), now,
                        Ceilings.memoryLimit(pod.memoryLimitBytes()), settings);
            }
            if (verdict.kind() == VerdictKind.InsufficientData && !result.succeeded()) {
                verdict = Verdict.insufficient(verdict.samples(), verdict.reason() + " (last error: " + result.error() + ")");
            }
        }
        verdict = ProvenLeaks.weigh(verdict, proven, round.policy().detection().provenLeakGoroutines(), now,
                provenMaxAgeMillis);
        return new PodJudgement(pod.name(), verdict, result.error(), now);
    }
}
