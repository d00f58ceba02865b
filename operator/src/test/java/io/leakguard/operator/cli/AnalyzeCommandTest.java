package io.leakguard.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze} as a developer runs it on dumps from the cluster. */
class AnalyzeCommandTest {

    private static final Path DUMPS = Path.of("src/test/resources/dumps");

    @TempDir
    Path dir;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int analyze(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "analyze";
        System.arraycopy(args, 0, all, 1, args.length);
        return OfflineCommands.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void withABaselineTheLeakingStackComesFirstWithItsDelta() {
        assertThat(analyze(DUMPS.resolve("go1.19-debug2-trigger.txt").toString(), "--baseline",
                DUMPS.resolve("go1.19-debug2-baseline.txt").toString())).isZero();
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(report.lines().skip(1).findFirst().orElse(""))
                .isEqualTo("+60 goroutines  chan send  created by main.leak at main.go:55");
        assertThat(report).contains("main.worker  main.go:66");
    }

    @Test
    void jsonOutputCarriesTheRankedGroups() throws IOException {
        assertThat(analyze(DUMPS.resolve("jdk-temurin-25-thread-print-trigger.txt").toString(), "--baseline",
                DUMPS.resolve("jdk-temurin-25-thread-print-baseline.txt").toString(), "--json")).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(json.get("format").asText()).isEqualTo("HotSpot");
        JsonNode top = json.get("groups").get(0);
        assertThat(top.get("delta").asInt()).isEqualTo(32);
        assertThat(top.get("blockedOn").asText()).isEqualTo("java.lang.Object");
    }

    @Test
    void unreadableInputExitsWith2AndSaysWhy() throws IOException {
        Path garbage = Files.writeString(dir.resolve("notes.txt"), "hello\nworld\n");
        assertThat(analyze(garbage.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("notes.txt: unreadable")
                .contains("not a Go goroutine dump");
    }

    @Test
    void aDumpLargerThanTheOperatorsCapExitsWith2BeforeItIsRead() throws IOException {
        Path huge = dir.resolve("huge.txt");
        try (var file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(200L * 1024 * 1024); // sparse: 200 MB on the file system's word, nothing on disk
        }
        assertThat(analyze(huge.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("huge.txt").contains("larger than the 16777216 bytes");
    }

    @Test
    void aGoDumpCutMidStackIsAnalyzedAndReportedAsCut() throws IOException {
        String whole = Files.readString(DUMPS.resolve("go1.19-debug2-trigger.txt"));
        int cut = whole.lastIndexOf("\n\t", whole.length() - 2);
        Path cutDump = Files.writeString(dir.resolve("cut.txt"), whole.substring(0, cut + 1));

        assertThat(analyze(cutDump.toString())).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("warning: " + cutDump).contains("looks cut off");
    }

    @Test
    void aWholeGoDumpIsNotCalledCut() {
        assertThat(analyze(DUMPS.resolve("go1.19-debug2-trigger.txt").toString())).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("cut off");
    }

    @Test
    void aMissingFileExitsWith2() {
        assertThat(analyze(dir.resolve("nope.txt").toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no such file");
    }

    @Test
    void dumpsOfDifferentRuntimesAreNotCompared() {
        assertThat(analyze(DUMPS.resolve("go1.19-debug2-trigger.txt").toString(), "--baseline",
                DUMPS.resolve("jdk-java-17-thread-print-baseline.txt").toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("compare dumps of the same runtime");
    }
}
