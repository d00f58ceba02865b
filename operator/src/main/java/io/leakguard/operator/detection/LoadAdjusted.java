package io.leakguard.operator.detection;

import io.leakguard.operator.series.PodSeries;

/**
 * Pure: how much the pod's load rose while its threads did, the bound on what the load can explain.
 * In-flight goroutines and request threads follow the load (Little's law: in flight = arrival rate x
 * latency), and so does the rate at which the runtime allocates, so the allocation rate stands for
 * the load. Threads that are a base plus a share of the load rise by at most the load's own share
 * (by a little more when latency grows with load: {@link ThreadGrowth#LOAD_ELASTICITY}); a leak adds
 * its rise whatever the load does.
 *
 * <p>The load's rise is its least-squares trend over the troughs the threads' trend is judged on, as a
 * share of its level at the start: its fitted value, not a confidence bound. The threads' rise is
 * already taken at its own lower bound; a runtime's allocation rate is noisy from scrape to scrape, so
 * the load's lower bound is near zero under a load that plainly doubled (traffic then reads as a leak),
 * and its upper bound far above a load that held steady (a leak then reads as traffic). (A regression
 * of the threads on load and time together would not do: the load is measured with noise and time
 * without, so a traffic ramp's rise goes to time, and reads as a leak.)
 *
 * @param rise the load's rise over the fitted troughs, as a share of its level at their start
 * @param beyondLoadLower where the load cycles rather than trends, the lower bound of the threads' pace
 *     beyond what the load accounts for, threads an hour; NaN otherwise
 */
record LoadAdjusted(double rise, double beyondLoadLower) {

    static final LoadAdjusted NONE = new LoadAdjusted(Double.NaN, Double.NaN);

    /**
     * Above this correlation of the load with time, the threads' pace beyond the load is not fitted: the
     * two cannot be told apart, and the load's noise would hand the rise to time.
     */
    static final double MAX_LOAD_TIME_CORRELATION = 0.3;

    /** Troughs with a load that a trend needs, at the least. */
    static final int MIN_POINTS = TroughFold.MIN_TROUGHS + 2;

    boolean known() {
        return !Double.isNaN(rise);
    }

    /**
     * The load's trend over troughs {@code from} to {@code n - 1}; {@link #NONE} when fewer than
     * {@link #MIN_POINTS} of them, or fewer than four in five, have a load.
     *
     * @param z the one-sided normal quantile of the policy's confidence
     * @param span how many neighbouring troughs share each value (its standard error is widened by the root)
     */
    static LoadAdjusted fit(double[] times, double[] threads, double[] loads, int from, int n, double z, int span) {
        int m = 0;
        double meanT = 0;
        double meanL = 0;
        double meanG = 0;
        for (int i = from; i < n; i++) {
            if (!Double.isNaN(loads[i])) {
                m++;
                meanT += times[i];
                meanL += loads[i];
                meanG += threads[i];
            }
        }
        if (m < MIN_POINTS || !PodSeries.mostlyKnown(m, n - from)) {
            return NONE;
        }
        meanT /= m;
        meanL /= m;
        meanG /= m;
        double stt = 0;
        double stl = 0;
        double sll = 0;
        double stg = 0;
        double slg = 0;
        double sgg = 0;
        for (int i = from; i < n; i++) {
            if (!Double.isNaN(loads[i])) {
                double t = times[i] - meanT;
                double l = loads[i] - meanL;
                double g = threads[i] - meanG;
                stt += t * t;
                stl += t * l;
                sll += l * l;
                stg += t * g;
                slg += l * g;
                sgg += g * g;
            }
        }
        if (!(stt > 0) || !(meanL > 0)) {
            return NONE;
        }
        double inflate = Math.sqrt(Math.max(1, span));
        double slope = stl / stt;
        double beyondLoadLower = beyondLoadLower(stt, stl, sll, stg, slg, sgg, m, z, inflate);
        double hours = times[n - 1] - times[from];
        // As a share of where the load started, as the threads' rise is of where they started.
        double start = Math.max(meanL / 2, meanL + slope * (times[from] - meanT));
        return new LoadAdjusted(slope * hours / start, beyondLoadLower);
    }

    /**
     * The lower confidence bound of {@code c} in {@code threads = a + b load + c t} (least squares), where
     * the load moved the threads its way ({@code b > 0}) and is no more than {@link
     * #MAX_LOAD_TIME_CORRELATION} correlated with time (a load that cycles in the window, say); NaN otherwise.
     */
    private static double beyondLoadLower(double stt, double stl, double sll, double stg, double slg, double sgg, int m,
            double z, double inflate) {
        if (!(sll > 0) || Math.abs(stl) > MAX_LOAD_TIME_CORRELATION * Math.sqrt(stt * sll)) {
            return Double.NaN;
        }
        double det = sll * stt - stl * stl;
        double b = (stt * slg - stl * stg) / det;
        if (!(b > 0)) {
            return Double.NaN;
        }
        double c = (sll * stg - stl * slg) / det;
        double rss = Math.max(0, sgg - b * slg - c * stg);
        return c - z * Math.sqrt(rss / (m - 3) * sll / det) * inflate;
    }
}
