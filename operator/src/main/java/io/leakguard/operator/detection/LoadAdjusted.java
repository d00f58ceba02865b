package io.leakguard.operator.detection;

/**
 * Pure: how much the pod's load rose while its threads did, the bound on what the load can explain.
 * In-flight goroutines and request threads follow the load (Little's law: in flight = arrival rate x
 * latency), and so does the rate at which the runtime allocates, so the allocation rate stands for
 * the load. Threads that are a base plus a share of the load rise by at most the load's own share
 * (by a little more when latency grows with load: {@link ThreadGrowth#LOAD_ELASTICITY}); a leak adds
 * its rise whatever the load does.
 *
 * <p>The load's rise is its least-squares trend over the troughs the threads' trend is judged on, at
 * its upper confidence bound, as a share of its level at the start: a noisy load only widens the bound, and so
 * explains more, never less. (A regression of the threads on load and time together would not do:
 * the load is measured with noise and time without, so a traffic ramp's rise goes to time, and reads
 * as a leak.)
 *
 * @param rise the load's rise over the fitted troughs, as a share of its level at their start
 * @param lower that rise's lower confidence bound
 * @param upper that rise's upper confidence bound
 */
record LoadAdjusted(double rise, double lower, double upper) {

    static final LoadAdjusted NONE = new LoadAdjusted(Double.NaN, Double.NaN, Double.NaN);

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
    static LoadAdjusted fit(double[] times, double[] loads, int from, int n, double z, int span) {
        int m = 0;
        double meanT = 0;
        double meanL = 0;
        for (int i = from; i < n; i++) {
            if (!Double.isNaN(loads[i])) {
                m++;
                meanT += times[i];
                meanL += loads[i];
            }
        }
        if (m < MIN_POINTS || m * 5 < (n - from) * 4) {
            return NONE;
        }
        meanT /= m;
        meanL /= m;
        double stt = 0;
        double stl = 0;
        double sll = 0;
        for (int i = from; i < n; i++) {
            if (!Double.isNaN(loads[i])) {
                double t = times[i] - meanT;
                double l = loads[i] - meanL;
                stt += t * t;
                stl += t * l;
                sll += l * l;
            }
        }
        if (!(stt > 0) || !(meanL > 0)) {
            return NONE;
        }
        double slope = stl / stt;
        double se = Math.sqrt(Math.max(0, sll - slope * stl) / (m - 2) / stt) * Math.sqrt(Math.max(1, span));
        double hours = times[n - 1] - times[from];
        // As a share of where the load started, as the threads' rise is of where they started.
        double start = Math.max(meanL / 2, meanL + slope * (times[from] - meanT));
        return new LoadAdjusted(slope * hours / start, (slope - z * se) * hours / start, (slope + z * se) * hours / start);
    }
}
