package io.leakguard.operator.detection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A leak the Go runtime proved makes a pod Leaking at the policy's count, and nothing else does. */
class ProvenLeaksTest {

    private static final long NOW = 1_000_000;
    private static final long MAX_AGE = 600_000;

    private static Verdict verdict(VerdictKind kind, String reason) {
        return new Verdict(kind, 1, 0.5, 0.001, 100, 80, 0.001, 7200, 240, 64e6, 40, reason, 2, null);
    }

    private static ProvenLeaks proven(int goroutines) {
        return new ProvenLeaks(goroutines, "120 goroutines  chan send (leaked)  created by main.leak / main.worker",
                NOW - 60_000, null);
    }

    @Test
    void aSuspectPodWithAtLeastTheThresholdProvenIsLeakingAndSaysWhere() {
        Verdict weighed = ProvenLeaks.weigh(verdict(VerdictKind.Suspect, "threads +115/h"), proven(120), 100, NOW, MAX_AGE);
        assertThat(weighed.kind()).isEqualTo(VerdictKind.Leaking);
        assertThat(weighed.reason()).startsWith("120 goroutines proven leaked by the Go runtime's leak profile"
                + " (policy acts at 100), largest group: 120 goroutines  chan send (leaked)").endsWith("; threads +115/h");
        assertThat(weighed.threadsPerHour()).isEqualTo(100);
    }

    @Test
    void aHealthyPodWithAFewProvenLeaksBelowTheThresholdStaysHealthyButSaysSo() {
        Verdict weighed = ProvenLeaks.weigh(verdict(VerdictKind.Healthy, "no significant upward trend"), proven(3), 100,
                NOW, MAX_AGE);
        assertThat(weighed.kind()).isEqualTo(VerdictKind.Healthy);
        assertThat(weighed.reason()).contains("3 goroutines proven leaked");
    }

    @Test
    void missingDataIsNeverRaisedByAProfile() {
        Verdict insufficient = Verdict.insufficient(3, "3 of the 20 samples needed");
        assertThat(ProvenLeaks.weigh(insufficient, proven(5000), 100, NOW, MAX_AGE)).isSameAs(insufficient);
    }

    @Test
    void aProfileThatCouldNotBeReadIsToldAndNeverActedOn() {
        Verdict weighed = ProvenLeaks.weigh(verdict(VerdictKind.Suspect, "threads +115/h"),
                ProvenLeaks.failed("the pod serves no goroutine leak profile (HTTP 404)", NOW), 100, NOW, MAX_AGE);
        assertThat(weighed.kind()).isEqualTo(VerdictKind.Suspect);
        assertThat(weighed.reason()).isEqualTo("threads +115/h; leak profile not read: the pod serves no goroutine leak"
                + " profile (HTTP 404)");
    }

    @Test
    void aStaleProfileOrAPolicyThatDoesNotActChangesNothing() {
        Verdict suspect = verdict(VerdictKind.Suspect, "threads +115/h");
        ProvenLeaks old = new ProvenLeaks(500, null, NOW - MAX_AGE - 1, null);
        assertThat(ProvenLeaks.weigh(suspect, old, 100, NOW, MAX_AGE)).isSameAs(suspect);
        assertThat(ProvenLeaks.weigh(suspect, proven(500), 0, NOW, MAX_AGE)).isSameAs(suspect);
        assertThat(ProvenLeaks.weigh(suspect, null, 100, NOW, MAX_AGE)).isSameAs(suspect);
    }
}
