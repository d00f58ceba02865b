package io.leakguard.operator.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.leakguard.operator.detection.VerdictKind;
import org.junit.jupiter.api.Test;

/** Which verdict transitions become Kubernetes Events, and with which reason. */
class VerdictEventsTest {

    @Test
    void suspectAndLeakingAreAlwaysToldAndHealthyOnlyAfterEither() {
        assertThat(VerdictEvents.reason(VerdictKind.Healthy, VerdictKind.Suspect)).isEqualTo("LeakSuspected");
        assertThat(VerdictEvents.reason(VerdictKind.Suspect, VerdictKind.Leaking)).isEqualTo("LeakDetected");
        assertThat(VerdictEvents.reason(null, VerdictKind.Leaking)).as("a first verdict of Leaking, after a restart")
                .isEqualTo("LeakDetected");
        assertThat(VerdictEvents.reason(VerdictKind.Leaking, VerdictKind.Healthy)).isEqualTo("LeakCleared");
        assertThat(VerdictEvents.reason(VerdictKind.Suspect, VerdictKind.Healthy)).isEqualTo("LeakCleared");
    }

    @Test
    void quietTransitionsMakeNoEvent() {
        assertThat(VerdictEvents.reason(null, VerdictKind.Healthy)).isNull();
        assertThat(VerdictEvents.reason(VerdictKind.InsufficientData, VerdictKind.Healthy)).isNull();
        assertThat(VerdictEvents.reason(VerdictKind.Healthy, VerdictKind.InsufficientData)).isNull();
    }
}
