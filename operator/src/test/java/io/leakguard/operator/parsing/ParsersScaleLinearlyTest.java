package io.leakguard.operator.parsing;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import io.leakguard.operator.diagnostics.DumpParser;
import io.leakguard.operator.exposition.ExpositionParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: the dump and exposition parsers do work linear in their input, whatever a tenant's pod serves.
 * The work is counted, not timed: the input is a {@link CharSequence} that counts every character read
 * from it, so the figures are the same on every machine. For each hostile line shape (one special
 * character repeated, as regexes backtrack on, or random text of the format's own alphabet), at 2 and at
 * 16 KiB a line, the parser may read each character at most {@value #MAX_READS_PER_CHAR} times: a
 * backtracking pattern that goes quadratic reads each thousands of times.
 * <ul>
 * <li>The exposition parser reads its whole document through the counted sequence.</li>
 * <li>The dump parser cuts each line to its {@code MAX_LINE} and matches it once against its
 * patterns; every pattern it holds is run over every shape, whole-line and searched, up to that cut.</li>
 * </ul>
 */
class ParsersScaleLinearlyTest {

    /** The characters the parsers' patterns and splits treat specially. */
    private static final String SPECIALS = "({\"\\,= \t#@";
    private static final String ALPHABET = SPECIALS + "abcxyz_.0123456789()/:+[]}e";
    private static final int SHORT = 2048;
    private static final int LONG = SHORT * 8;
    /** A linear parser reads each character a few times; a quadratic one, thousands of times on lines of 16 KiB. */
    private static final double MAX_READS_PER_CHAR = 16;

    /** Line beginnings that send a line down each path of the parsers. */
    private static final List<String> DUMP_PREFIXES = List.of("\tat a", "\"", "\"w\" #", "goroutine 2 [", "goroutine 2 [1 ",
            "main.f(", "1 @ ", "1 @ 0x1", "#\t0x1\t", "\t/m.go:", "created by ", "   java.lang.Thread.State: ",
            "\t- waiting on <", "$$Lambda", "");
    private static final List<String> EXPOSITION_PREFIXES = List.of("go_goroutines{a=\"", "{\"", "# HELP x ", "x ",
            "x{", "");

    /** Counts every character read, through {@link #charAt}, {@link #toString} or a sub-sequence. */
    static final class CountedText implements CharSequence {
        private final String text;
        private final int offset;
        private final int length;
        private final long[] reads;

        CountedText(String text) {
            this(text, 0, text.length(), new long[1]);
        }

        private CountedText(String text, int offset, int length, long[] reads) {
            this.text = text;
            this.offset = offset;
            this.length = length;
            this.reads = reads;
        }

        long reads() {
            return reads[0];
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            reads[0]++;
            return text.charAt(offset + index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new CountedText(text, offset + start, end - start, reads);
        }

        @Override
        public String toString() {
            reads[0] += length;
            return text.substring(offset, offset + length);
        }
    }

    record Shape(String prefix, char fill) {
        String line(int length, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            StringBuilder line = new StringBuilder(prefix);
            for (int i = 0; i < length; i++) {
                line.append(fill != 0 ? fill : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            return line.toString();
        }

        @Override
        public String toString() {
            return "'" + prefix.replace("\t", "\\t") + "' + " + (fill == 0 ? "random" : fill == '\t' ? "\\t" : "'" + fill + "'");
        }
    }

    private static List<Shape> shapes(List<String> prefixes) {
        List<Shape> shapes = new ArrayList<>();
        for (String prefix : prefixes) {
            for (char fill : (SPECIALS + "0x\0").toCharArray()) {
                shapes.add(new Shape(prefix, fill));
            }
        }
        return shapes;
    }

    static List<Shape> dumpShapes() {
        return shapes(DUMP_PREFIXES);
    }

    static List<Shape> expositionShapes() {
        return shapes(EXPOSITION_PREFIXES);
    }

    /** Every pattern the dump parser holds, found by reflection so that a new one is covered too. */
    private static List<Pattern> dumpPatterns() throws IllegalAccessException {
        List<Pattern> patterns = new ArrayList<>();
        for (Field field : DumpParser.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == Pattern.class) {
                field.setAccessible(true);
                patterns.add((Pattern) field.get(null));
            }
        }
        assertThat(patterns).as("the dump parser's patterns").hasSizeGreaterThan(5);
        return patterns;
    }

    private static int maxLine() throws IllegalAccessException {
        try {
            Field field = DumpParser.class.getDeclaredField("MAX_LINE");
            field.setAccessible(true);
            return field.getInt(null);
        } catch (NoSuchFieldException e) {
            throw new AssertionError("the dump parser no longer cuts its lines: lines have no bound to test to", e);
        }
    }

    private static long matchReads(Pattern pattern, String line, boolean search) {
        CountedText text = new CountedText(line);
        var matcher = pattern.matcher(text);
        if (search) {
            while (matcher.find()) {
                // every match, as replaceAll walks them
            }
        } else {
            matcher.matches();
        }
        return text.reads();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dumpShapes")
    void everyDumpPatternReadsAHostileLineLinearly(Shape shape) throws IllegalAccessException {
        String shortLine = shape.line(SHORT, 1);
        String longLine = shape.line(LONG - shape.prefix().length(), 2);
        assertThat(longLine.length()).as("within the dump parser's line cut").isLessThanOrEqualTo(maxLine());
        for (Pattern pattern : dumpPatterns()) {
            // Every pattern is matched whole; the anchored ones and those the parser searches with (replaceAll)
            // are searched too. Searching an unanchored pattern starts it at every position of the line.
            boolean searched = pattern.pattern().startsWith("^") || SEARCHED.contains(pattern.pattern());
            for (boolean search : searched ? new boolean[] {false, true} : new boolean[] {false}) {
                for (String line : List.of(shortLine, longLine)) {
                    assertThat((double) matchReads(pattern, line, search) / line.length())
                            .as("characters read by %s (%s) per character of a line of %d", pattern,
                                    search ? "find" : "matches", line.length())
                            .isLessThanOrEqualTo(MAX_READS_PER_CHAR);
                }
            }
        }
    }

    /** The unanchored patterns the dump parser searches (replaceAll) instead of matching whole. */
    private static final List<String> SEARCHED = List.of("\\d+", "\\$\\$Lambda[$/0-9a-fx]*");

    private static CountedText exposition(Shape shape, int lineLength) {
        StringBuilder document = new StringBuilder("# TYPE go_goroutines gauge\n");
        for (int line = 0; line < 16; line++) {
            document.append(shape.line(lineLength, line)).append('\n');
        }
        return new CountedText(document.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expositionShapes")
    void theExpositionParserReadsHostileLinesLinearly(Shape shape) {
        for (int length : new int[] {SHORT, LONG}) {
            CountedText document = exposition(shape, length);
            ExpositionParser.parse(document, name -> true);
            assertThat((double) document.reads() / document.length())
                    .as("characters read per character of a document of lines of %d", length)
                    .isLessThanOrEqualTo(MAX_READS_PER_CHAR);
        }
    }
}
