package io.leakguard.operator.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a tenant's endpoints say never bloats or garbles a policy's status. */
class StatusTextTest {

    @Test
    void aFourMebibyteParserProblemIsCutWithAMarkThatSaysHowMuch() {
        String problem = "x".repeat(4 * 1024 * 1024);
        String clean = StatusText.clean(problem, StatusText.REASON);
        assertThat(clean).hasSizeLessThan(StatusText.REASON + 40).endsWith("... (4193280 more characters)");
    }

    @Test
    void terminalEscapesAndNewLinesBecomeSpaces() {
        assertThat(StatusText.clean("bad\u001b[2J\r\nline\u0000", 100)).isEqualTo("bad [2J  line ");
        assertThat(StatusText.clean(null, 10)).isNull();
        assertThat(StatusText.clean("short", 10)).isEqualTo("short");
    }
}
