package io.leakguard.operator.parsing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import io.leakguard.operator.diagnostics.DumpParser;
import io.leakguard.operator.exposition.ExpositionParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: the dump and exposition parsers take time linear in their input, whatever a tenant's pod
 * serves. For each parser and each hostile line shape (one special character repeated, as regexes
 * backtrack on, or random text of the format's own alphabet), a document of long lines is parsed and
 * so is one with lines eight times longer; linear parsing takes about 8 times as long, quadratic about
 * 64. The bound is a ratio measured in the same run, not a time: each time is the best of several parses,
 * and a ratio over the bound is measured again (noise only ever inflates it), so a slow or busy machine does
 * not fail it while a quadratic parser always does.
 */
class ParsersScaleLinearlyTest {

    /** The characters the parsers' patterns and splits treat specially. */
    private static final String SPECIALS = "({\"\\,= \t#@";
    private static final int LINES = 128;
    private static final int SHORT = 2048;
    /** Linear is about 8, quadratic about 64: four times linear leaves room for a noisy machine. */
    private static final double MAX_RATIO = 32;

    record Case(String name, String header, String prefix, char fill, Consumer<String> parser) {
        @Override
        public String toString() {
            return name + " '" + (fill == 0 ? "random" : fill == '\t' ? "\\t" : String.valueOf(fill)) + "'";
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        Consumer<String> dump = text -> DumpParser.parse(text, false);
        Consumer<String> exposition = text -> ExpositionParser.parse(text, name -> true);
        for (char fill : (SPECIALS + "\0").toCharArray()) {
            cases.add(new Case("HotSpot frame", "Full thread dump\n\n\"w\" #1 prio=5\n   java.lang.Thread.State: RUNNABLE\n",
                    "\tat a", fill, dump));
            cases.add(new Case("HotSpot header", "Full thread dump\n\n", "\"", fill, dump));
            cases.add(new Case("Go debug=2 header", "goroutine 1 [running]:\nmain.main()\n\t/m.go:1 +0x1\n\n",
                    "goroutine 2 [", fill, dump));
            cases.add(new Case("Go debug=2 frame", "goroutine 1 [running]:\n", "main.f(", fill, dump));
            cases.add(new Case("Go debug=1 group", "goroutine profile: total 1\n", "1 @ ", fill, dump));
            cases.add(new Case("Go debug=1 frame", "goroutine profile: total 1\n1 @ 0x1\n", "#\t0x1\t", fill, dump));
            cases.add(new Case("exposition labels", "# TYPE go_goroutines gauge\n", "go_goroutines{a=\"", fill, exposition));
            cases.add(new Case("exposition comment", "", "# HELP x ", fill, exposition));
            cases.add(new Case("exposition value", "", "x ", fill, exposition));
        }
        return cases;
    }

    private static String document(Case c, int lineLength, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String alphabet = SPECIALS + "abcxyz_.0123456789()/:+[]}e";
        StringBuilder text = new StringBuilder(c.header());
        for (int line = 0; line < LINES; line++) {
            text.append(c.prefix());
            for (int i = 0; i < lineLength; i++) {
                text.append(c.fill() != 0 ? c.fill() : alphabet.charAt(random.nextInt(alphabet.length())));
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static long bestNanos(Consumer<String> parser, String input) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            parser.accept(input);
            best = Math.min(best, System.nanoTime() - start);
        }
        return best;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parsingTimeGrowsLinearlyWithLineLength(Case c) {
        String small = document(c, SHORT, 1);
        String large = document(c, SHORT * 8, 2);
        bestNanos(c.parser(), small); // warm the JIT up on this shape
        bestNanos(c.parser(), large);
        double ratio = Double.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && ratio >= MAX_RATIO; attempt++) {
            ratio = Math.min(ratio, (double) bestNanos(c.parser(), large) / Math.max(1, bestNanos(c.parser(), small)));
        }
        assertThat(ratio).as("time for lines 8x longer, over the time for the short ones (linear: about 8)")
                .isLessThan(MAX_RATIO);
    }
}
