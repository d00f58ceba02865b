package io.leakguard.operator.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Property: whatever bytes a pod serves, parsing returns (never throws), and what it returns is
 * consistent. Inputs are mutations of a real exposition (flipped, dropped, duplicated and inserted
 * characters, cut at random points) and raw random text, from fixed seeds so a failure reproduces.
 */
class ExpositionParserFuzzTest {

    private static final String ALPHABET = "{}\",=\\# \n\t.eE+-0123456789abcxyz_:NaInf\r";

    private static String realExposition() throws IOException {
        try (InputStream in = ExpositionParserFuzzTest.class.getResourceAsStream("/exposition/go-client_golang-1.14.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void mutationsOfARealExpositionNeverThrow() throws IOException {
        String base = realExposition();
        SplittableRandom random = new SplittableRandom(20261128L);
        for (int round = 0; round < 3000; round++) {
            StringBuilder text = new StringBuilder(base);
            int edits = 1 + random.nextInt(20);
            for (int e = 0; e < edits && text.length() > 0; e++) {
                int at = random.nextInt(text.length());
                switch (random.nextInt(4)) {
                    case 0 -> text.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    case 1 -> text.deleteCharAt(at);
                    case 2 -> text.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    default -> text.setLength(at);
                }
            }
            String input = text.toString();
            assertThatCode(() -> check(ExpositionParser.parse(input, name -> true), input)).as("round %d", round)
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void randomTextNeverThrows() {
        SplittableRandom random = new SplittableRandom(7L);
        for (int round = 0; round < 3000; round++) {
            int length = random.nextInt(400);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < length; i++) {
                text.append(random.nextInt(10) == 0 ? (char) random.nextInt(0x3000)
                        : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            String input = text.toString();
            assertThatCode(() -> check(ExpositionParser.parse(input, name -> true), input)).as("round %d", round)
                    .doesNotThrowAnyException();
        }
    }

    private static void check(ParseResult result, String input) {
        long lines = input.lines().count();
        assertThat(result.malformedLines()).isBetween(0, (int) Math.max(lines, 1));
        assertThat(result.samples().size() + result.malformedLines()).isLessThanOrEqualTo((int) Math.max(lines, 1));
        assertThat(result.firstProblem() == null).isEqualTo(result.malformedLines() == 0);
        result.samples().forEach(s -> assertThat(s.name()).isNotEmpty());
    }
}
