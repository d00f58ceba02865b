package io.leakguard.operator.detection;

import java.util.Locale;

import io.leakguard.operator.series.PodSeries;

/** Pure: words a verdict's reason from the fits and the projection behind it, one clause per finding. */
final class VerdictReason {

    private VerdictReason() {
    }

    /** @param w the window, for a G1 old generation's run without a shrink */
    static String of(VerdictKind kind, TrendFit memory, TrendFit heap, TrendFit threads, TrendDetector.Deaths deaths,
            PodSeries.Window w, ThreadGrowth growth, Ceilings ceilings, DetectorSettings s) {
        Projection death = deaths.earliest();
        boolean oldGenKept = deaths.kept() != Projection.NONE;
        StringBuilder reason = new StringBuilder();
        if (memory.significant()) {
            reason.append("memory floor ").append(rate(memory));
            if (!ceilings.hasMemoryLimit()) {
                reason.append(", no memory limit to project against");
            }
        }
        if (heap.significant()) {
            append(reason, (ceilings.hasHeapMax() ? "live heap " : "heap baseline ") + rate(heap));
        }
        if (oldGenKept || deaths.oldGenRising()) {
            append(reason, "G1 old generation " + Math.round(100 * w.oldGenLatest / ceilings.heapMaxBytes())
                    + "% of the heap max and not shrunk by any collection for " + TrendDetector.minutes(w.oldGenRunMillis / 1000.0)
                    + " (" + TrendDetector.bytesPerHour(w.oldGenPacePerHour) + ")"
                    + (oldGenKept ? ": what it holds is live" : ""));
        }
        if (Projection.LIVE_HEAP_CLIMBING.equals(death.ceiling())) {
            append(reason, "live heap measured higher by each of the last collections, "
                    + Math.round(100 * death.levelBytes() / ceilings.heapMaxBytes()) + "% of the heap max by now"
                    + (death.etaSeconds() > 0 ? " (" + TrendDetector.bytesPerHour(
                            (death.ceilingBytes() - death.levelBytes()) / death.etaSeconds() * 3600.0) + ")" : ""));
        }
        if (deaths.heapMaxPastLimit()) {
            String pace = death.etaSeconds() > 0 ? " (" + TrendDetector.bytesPerHour(
                    (death.ceilingBytes() - death.levelBytes()) / death.etaSeconds() * 3600.0) + ")" : "";
            append(reason, "memory with the committed heap rising" + pace + ", while the heap max ("
                    + mib(ceilings.heapMaxBytes()) + ") and the memory beside the heap (at least " + mib(deaths.besideHeap())
                    + ") do not fit in the limit (" + mib(ceilings.memoryLimitBytes())
                    + "): the heap is bounded by the kernel's kill, not by its max");
        }
        if (death.ceiling() != null) {
            append(reason, !Projection.MEMORY_LIMIT.equals(death.ceiling())
                    ? "projected to reach " + Math.round(100 * Ceilings.HEAP_MAX_SHARE) + "% of the heap max (OutOfMemoryError) in "
                    : "projected OOM kill at the memory limit in ");
            reason.append(TrendDetector.minutes(death.etaSeconds()));
        }
        if (threads.significant()) {
            append(reason, "threads " + signed(threads.slope()) + "/h ("
                    + (Double.isInfinite(threads.lower()) ? UNBOUNDED : "at least " + signed(threads.lower()) + "/h")
                    + ", p=" + p(threads.p()) + ")");
            if (growth.tooFast() && growth.fast()) {
                reason.append(", above the ").append(whole(s.maxThreadGrowthPerHour())).append("/h bound");
            }
            if (growth.unexplained()) {
                double loadRise = Math.round(100 * growth.load().rise());
                reason.append(", while the load (allocation rate) ")
                        .append(Math.abs(loadRise) < 5 ? "held steady (within 5%)" : (loadRise > 0 ? "rose " : "fell ")
                                + Math.round(Math.abs(loadRise)) + "%")
                        .append(": more than the load can explain (never released)");
            }
            if (growth.ratchet().counts() && !growth.unexplained()) {
                reason.append(", ").append(ratchet(growth.ratchet(), s));
            }
            if (growth.explained()) {
                reason.append(", but the load (allocation rate) rose ").append(Math.round(100 * growth.load().rise()))
                        .append("% meanwhile, enough to carry them (traffic)");
            }
            if (!Double.isNaN(growth.unbrokenFrom())) {
                reason.append(", more than doubled from ").append(whole(growth.unbrokenFrom()))
                        .append(" without falling back (never released)");
            }
            if (!Double.isNaN(growth.earlierHigh())) {
                reason.append(", but not far above the floor of ").append(whole(growth.earlierHigh()))
                        .append(" they reached before the window (a traffic swing, until they pass it by ")
                        .append(growth.load().known() ? "half their rise)" : "three quarters of their rise: no load tells traffic apart)");
            }
            if (growth.tooMany()) {
                reason.append(", ").append(whole(growth.latest())).append(" live, above the bound of ")
                        .append(whole(s.maxThreads()));
            }
        }
        if (!threads.significant() && growth.ratchet().counts()) {
            append(reason, "threads' " + ratchet(growth.ratchet(), s));
        }
        if (kind == VerdictKind.Healthy) {
            String note = memory.note() != null ? memory.note() : heap.note() != null ? heap.note() : threads.note();
            reason.append(note != null ? note : "no significant upward trend");
        }
        return reason.toString();
    }

    /** Floors never given back over hours ({@link ThreadRatchet}), and the load's highest point meanwhile. */
    private static String ratchet(ThreadRatchet ratchet, DetectorSettings s) {
        long loadRise = Math.round(100 * ratchet.loadRise());
        return "floor higher in each of the last " + ratchet.points() + " half-windows ("
                + TrendDetector.minutes(ratchet.points() * s.windowMillis() / 2000.0) + "), from " + whole(ratchet.from())
                + " to " + whole(ratchet.to()) + ", while the load (allocation rate) "
                + (loadRise < 5 ? "stayed within 5% of where it was" : "stood at most " + loadRise + "% above where it was")
                + ": never released";
    }

    private static String rate(TrendFit fit) {
        return TrendDetector.bytesPerHour(fit.slope()) + " ("
                + (Double.isInfinite(fit.lower()) ? UNBOUNDED : "at least " + TrendDetector.bytesPerHour(fit.lower()))
                + ", p=" + p(fit.p()) + ")";
    }

    /** Said instead of a lower bound that too few troughs leave open (Theil-Sen's interval has no lower end). */
    static final String UNBOUNDED = "too few troughs yet to bound its pace";

    private static void append(StringBuilder reason, String text) {
        if (reason.length() > 0) {
            reason.append("; ");
        }
        reason.append(text);
    }

    private static String signed(double value) {
        return (value >= 0 ? "+" : "") + whole(value);
    }

    private static String whole(double value) {
        return String.format(Locale.ROOT, "%.0f", value);
    }

    private static String p(double p) {
        return p < 0.0001 ? "<0.0001" : String.format(Locale.ROOT, "%.4f", p);
    }

    private static String mib(double bytes) {
        return Math.round(bytes / (1024.0 * 1024.0)) + " MiB";
    }
}
