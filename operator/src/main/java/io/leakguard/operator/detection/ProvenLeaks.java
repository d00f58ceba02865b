package io.leakguard.operator.detection;

/**
 * What a Go pod's goroutine leak profile proved when it was last read: the goroutines its garbage
 * collector found blocked where nothing can ever wake them, and the largest group's site.
 *
 * @param goroutines proven leaked goroutines; -1 when the profile could not be read
 * @param site the largest group's first report line (count, state, creator, top frame), or null
 * @param atMillis when the profile was read
 * @param error why it could not be read, or null
 */
public record ProvenLeaks(int goroutines, String site, long atMillis, String error) {

    public static ProvenLeaks failed(String error, long atMillis) {
        return new ProvenLeaks(-1, null, atMillis, error);
    }

    /**
     * Pure: the verdict with the proven leaks weighed in. At least {@code threshold} proven leaked
     * goroutines, read within {@code maxAgeMillis}, make a Healthy or Suspect pod Leaking: the garbage
     * collector proved them, so no trend is needed. Missing data stays missing (InsufficientData is
     * never raised), and a profile that could not be read is said, never acted on.
     */
    public static Verdict weigh(Verdict verdict, ProvenLeaks proven, int threshold, long nowMillis, long maxAgeMillis) {
        if (threshold <= 0 || proven == null || nowMillis - proven.atMillis() > maxAgeMillis
                || verdict.kind() == VerdictKind.InsufficientData) {
            return verdict;
        }
        if (proven.error() != null) {
            return verdict.withReason(verdict.reason() + "; leak profile not read: " + proven.error());
        }
        if (proven.goroutines() < threshold || verdict.kind() == VerdictKind.Leaking) {
            return proven.goroutines() > 0 ? verdict.withReason(verdict.reason() + "; " + proven.describe(threshold))
                    : verdict;
        }
        return new Verdict(VerdictKind.Leaking, verdict.heapBytesPerHour(), verdict.heapBytesPerHourLower(),
                verdict.heapPValue(), verdict.threadsPerHour(), verdict.threadsPerHourLower(), verdict.threadsPValue(),
                verdict.projectedOomSeconds(), verdict.latestThreads(), verdict.latestPeakBytes(), verdict.samples(),
                proven.describe(threshold) + "; " + verdict.reason(), verdict.memoryBytesPerHour(), verdict.ceiling());
    }

    private String describe(int threshold) {
        return goroutines + " goroutines proven leaked by the Go runtime's leak profile (policy acts at " + threshold
                + ")" + (site == null ? "" : ", largest group: " + site);
    }
}
