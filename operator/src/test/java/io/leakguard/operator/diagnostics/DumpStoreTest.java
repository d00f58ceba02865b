package io.leakguard.operator.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;

/** What goes into a dump ConfigMap fits the API server's 1 MiB object limit, and cutting is never silent. */
class DumpStoreTest {

    @Test
    void aDumpThatCompressesUnderTheLimitIsKeptWhole() throws IOException {
        String dump = DumpParserTest.fixture("go1.19-debug2-trigger.txt").repeat(200);
        DumpStore.Compressed compressed = DumpStore.compressWithin(dump, DumpStore.MAX_COMPRESSED);
        assertThat(compressed.cut()).isFalse();
        assertThat(new String(new GZIPInputStream(new ByteArrayInputStream(compressed.bytes())).readAllBytes()))
                .isEqualTo(dump);
    }

    @Test
    void anIncompressibleDumpIsCutToTheLongestPrefixThatFitsAndMarked() throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        StringBuilder noise = new StringBuilder();
        while (noise.length() < 3_000_000) {
            noise.append(Long.toHexString(random.nextLong()));
        }
        DumpStore.Compressed compressed = DumpStore.compressWithin(noise.toString(), DumpStore.MAX_COMPRESSED);
        assertThat(compressed.cut()).isTrue();
        assertThat(compressed.bytes().length).isLessThanOrEqualTo(DumpStore.MAX_COMPRESSED);
        String kept = new String(new GZIPInputStream(new ByteArrayInputStream(compressed.bytes())).readAllBytes());
        assertThat(noise.toString()).startsWith(kept);
        assertThat(kept.length()).isGreaterThan(DumpStore.MAX_COMPRESSED);
        // base64 of the dump plus reports stays well under 1 MiB
        assertThat(compressed.bytes().length * 4 / 3 + 64 * 1024).isLessThan(1024 * 1024);
    }

    @Test
    void namesAndLabelsStayWithinKubernetesLimits() {
        String longPod = "checkout-" + "x".repeat(240);
        assertThat(DumpStore.configMapName(longPod, Instant.parse("2026-11-28T10:00:00Z")))
                .hasSizeLessThanOrEqualTo(253).endsWith("-20261128-100000");
        assertThat(DumpStore.labelValue("a-".repeat(40))).hasSizeLessThanOrEqualTo(63).doesNotEndWith("-");
    }

    @Test
    void reportsOfAHostileDumpStillLeaveTheConfigMapUnderTheObjectLimit() {
        String frame = "main." + "x".repeat(DumpParser.MAX_LINE);
        StringBuilder text = new StringBuilder();
        StringBuilder json = new StringBuilder("{\"groups\":[");
        for (int i = 0; i < 200; i++) {
            text.append("+1 goroutines chan send ").append(frame).append('\n');
            json.append(i == 0 ? "" : ",").append("{\"top\":\"").append(frame).append("\"}");
        }
        json.append("]}");

        String keptText = DumpStore.fitText(text.toString());
        String keptJson = DumpStore.fitJson(json.toString());

        assertThat(keptText.length()).isLessThanOrEqualTo(DumpStore.MAX_REPORT_TEXT);
        assertThat(keptText).endsWith("the dump holds it all)\n");
        assertThat(keptJson).startsWith("{\"truncated\":true");
        long base64 = (DumpStore.MAX_COMPRESSED + 2) / 3 * 4L;
        assertThat(base64 + keptText.length() + DumpStore.MAX_REPORT_JSON + 8 * 1024).as("with room for metadata")
                .isLessThan(1024 * 1024);
        assertThat(DumpStore.fitText("short\n")).isEqualTo("short\n");
    }
}
