package io.leakguard.operator.sampling;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import io.leakguard.operator.detection.DetectorSettings;
import io.leakguard.operator.exposition.Sample;
import io.leakguard.operator.prometheus.PromSeries;
import io.leakguard.operator.secrets.SecretReader;
import io.leakguard.operator.series.Gauges;
import io.leakguard.operator.state.SeriesStore;
import io.leakguard.operator.tracking.TrackedPod;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

/**
 * Prometheus mode: first backfill the history of pods whose series is empty (a new pod, a new life, or an
 * operator restart) with one range query, then take one instant query for all of the policy's pods.
 */
final class PrometheusReader implements PodReader {

    private static final Logger LOG = Logger.getLogger(PrometheusReader.class);

    private final PrometheusSource prometheus;
    private final SeriesStore store;
    private final SecretReader secrets;
    private final MeterRegistry meters;

    PrometheusReader(PrometheusSource prometheus, SeriesStore store, SecretReader secrets, MeterRegistry meters) {
        this.prometheus = prometheus;
        this.store = store;
        this.secrets = secrets;
        this.meters = meters;
    }

    @Override
    public CompletableFuture<Map<String, ScrapeResult>> read(Round round) {
        String token;
        try {
            token = bearerToken(round);
        } catch (RuntimeException e) {
            Map<String, ScrapeResult> failed = new HashMap<>();
            round.pods().forEach(p -> failed.put(p.name(), ScrapeResult.failed("no_credentials", e.getMessage(), 0)));
            return CompletableFuture.completedFuture(failed);
        }
        String url = round.policy().sampling().prometheusUrl();
        return backfill(round, url, token)
                .thenCompose(ignored -> prometheus.sample(url, token, round.namespace(), round.pods(), round.profile(),
                        round.timeout(), round.nowMillis()))
                .thenApply(results -> {
                    Map<String, ScrapeResult> all = new HashMap<>(results);
                    round.pods().forEach(p -> all.putIfAbsent(p.name(),
                            ScrapeResult.failed("no_gauges", "no answer for this pod", 0)));
                    all.values().forEach(r -> meters.counter("leakguard.scrapes", "outcome", r.outcome()).increment());
                    return all;
                });
    }

    private String bearerToken(Round round) {
        var ref = round.policy().sampling().bearerToken();
        return ref == null ? null : secrets.read(round.namespace(), ref.name, ref.key,
                "spec.metrics.prometheus.bearerTokenSecretRef");
    }

    private CompletableFuture<Void> backfill(Round round, String url, String token) {
        List<TrackedPod> fresh = round.pods().stream().filter(p -> store.history(round.seriesKey(p))
                .map(h -> !h.series().lifeKey().equals(p.lifeKey()) || h.series().size() == 0).orElse(true)).toList();
        if (fresh.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        DetectorSettings settings = round.settings();
        long from = round.nowMillis() - settings.windowMillis();
        return prometheus.history(url, token, round.namespace(), fresh, round.profile(), round.timeout().multipliedBy(4),
                from, round.nowMillis(), Duration.ofMillis(settings.intervalMillis()))
                .thenAccept(history -> fresh.forEach(pod -> replay(round, pod, history)))
                .exceptionally(error -> {
                    LOG.warnf("backfill from Prometheus failed, starting without history: namespace=%s policy=%s"
                            + " error=%s", round.namespace(), round.id().getName(), error.getMessage());
                    return null;
                });
    }

    /** Feeds a pod's backfilled points into its series, step by step, only from its current life. */
    private void replay(Round round, TrackedPod pod, List<PromSeries> history) {
        List<PromSeries> own = history.stream().filter(s -> pod.name().equals(s.labels().get("pod"))).toList();
        TreeSet<Long> times = new TreeSet<>();
        for (PromSeries s : own) {
            for (int i = 0; i < s.size(); i++) {
                if (s.timeMillis(i) >= pod.lifeStartMillis()) {
                    times.add(s.timeMillis(i));
                }
            }
        }
        for (long t : times) {
            List<Sample> samples = new ArrayList<>();
            for (PromSeries s : own) {
                double v = s.valueAt(t, 0);
                if (!Double.isNaN(v)) {
                    samples.add(new Sample(s.name(), s.labels(), v));
                }
            }
            Gauges reading = round.profile().read(samples, pod.container());
            if (!reading.empty()) {
                store.record(round.seriesKey(pod), pod.lifeKey(), pod.lifeStartMillis(), round.settings().bucketMillis(),
                        DetectorSettings.BUCKETS, t, reading);
            }
        }
        if (!times.isEmpty()) {
            LOG.infof("backfilled history from Prometheus: namespace=%s pod=%s points=%d", pod.namespace(), pod.name(),
                    times.size());
        }
    }
}
