package io.leakguard.operator.exposition;

import java.util.List;

/**
 * What a parse produced: the wanted samples, how many lines were malformed and skipped, and the
 * first problem in words, so that a bad endpoint can be reported on the policy.
 */
public record ParseResult(List<Sample> samples, int malformedLines, String firstProblem) {

    public boolean clean() {
        return malformedLines == 0;
    }
}
