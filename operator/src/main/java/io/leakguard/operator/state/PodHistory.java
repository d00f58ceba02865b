package io.leakguard.operator.state;

import io.leakguard.operator.detection.TrendCache;
import io.leakguard.operator.series.PodSeries;

/** One life of one pod: its series, and beside it the trends last fitted to it. Guard both with the series' lock. */
public record PodHistory(PodSeries series, TrendCache trends) {

    public PodHistory(PodSeries series) {
        this(series, new TrendCache());
    }
}
