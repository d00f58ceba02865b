package io.leakguard.operator.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import io.leakguard.operator.spec.GoDuration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

    @ParameterizedTest
    @CsvSource({"15s,PT15S", "1h30m,PT1H30M", "250ms,PT0.25S", "1.5h,PT1H30M", "2h0m5s,PT2H5S", "168h,PT168H"})
    void parsesTheDurationsUsersWrite(String text, String expected) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1h", "15", "1d", "1h 30m", "PT15S", "m"})
    void rejectsAnythingElseWithAMessageSayingHowToWriteIt(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("write it like 30s, 15m or 1h30m");
    }

    @ParameterizedTest
    @CsvSource({"PT1H30M,1h30m", "PT45S,45s", "PT0.25S,250ms", "PT0S,0s", "PT26H,26h"})
    void formatsAsAUserWouldWrite(String duration, String expected) {
        assertThat(GoDuration.format(Duration.parse(duration))).isEqualTo(expected);
    }
}
