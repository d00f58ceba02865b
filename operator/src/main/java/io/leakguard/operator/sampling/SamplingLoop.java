package io.leakguard.operator.sampling;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.leakguard.operator.series.Gauges;
import io.leakguard.api.v1alpha1.LeakPolicySpec;
import io.leakguard.api.v1alpha1.MetricsSource;
import io.leakguard.api.v1alpha1.Scheme;
import io.leakguard.operator.config.LeakGuardConfig;
import io.leakguard.operator.detection.DetectorSettings;
import io.leakguard.operator.detection.PodJudgement;
import io.leakguard.operator.detection.TrendDetector;
import io.leakguard.operator.detection.Verdict;
import io.leakguard.operator.detection.VerdictBoard;
import io.leakguard.operator.detection.VerdictEventSource;
import io.leakguard.operator.detection.VerdictKind;
import io.leakguard.operator.notify.KubernetesEvents;
import io.leakguard.operator.policy.GoDuration;
import io.leakguard.operator.detection.Ceilings;
import io.leakguard.operator.detection.DetectorScratch;
import io.leakguard.operator.state.PodHistory;
import io.leakguard.operator.state.SeriesStore;
import io.leakguard.operator.tracking.PodRegistry;
import io.leakguard.operator.tracking.TrackedPod;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import org.jboss.logging.Logger;

/**
 * Samples every tracked pod at its policy's interval, feeds its series, judges it, and tells the
 * reconciler when a policy's status should change. One round per policy is in flight at a time,
 * so a slow endpoint delays its own policy and nothing else.
 */
@Singleton
public class SamplingLoop {

    private static final Logger LOG = Logger.getLogger(SamplingLoop.class);
    /** Status is refreshed at once when a verdict changes kind, else at most this often. */
    static final long STATUS_REFRESH_MILLIS = 60_000;

    private final PodRegistry registry;
    private final SeriesStore store;
    private final VerdictBoard board;
    private final VerdictEventSource statusTrigger;
    private final KubernetesEvents events;
    private final Clock clock;
    private final MeterRegistry meters;
    private final LeakGuardConfig config;
    private final io.fabric8.kubernetes.client.KubernetesClient kubernetes;
    private final io.leakguard.operator.diagnostics.PodDiagnostics diagnostics;
    private final io.leakguard.operator.http.EgressRules egress;
    /** The detector's working space, one per judging thread, so that judging a pod allocates nothing. */
    private final ThreadLocal<DetectorScratch> scratch = ThreadLocal.withInitial(DetectorScratch::new);
    private final Map<ResourceID, Long> nextRound = new ConcurrentHashMap<>();
    private final Set<ResourceID> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<ResourceID, Long> lastStatusRefresh = new ConcurrentHashMap<>();
    private final Map<String, VerdictKind> lastKind = new ConcurrentHashMap<>();
    private ScheduledExecutorService ticker;
    private ExecutorService workers;
    private ScrapeClient scrapes;
    private PrometheusSource prometheus;
    private Timer scrapeTimer;

    public SamplingLoop(PodRegistry registry, SeriesStore store, VerdictBoard board, VerdictEventSource statusTrigger,
            KubernetesEvents events, Clock clock, MeterRegistry meters, LeakGuardConfig config,
            io.fabric8.kubernetes.client.KubernetesClient kubernetes,
            io.leakguard.operator.diagnostics.PodDiagnostics diagnostics, io.leakguard.operator.http.EgressRules egress) {
        this.egress = egress;
        this.kubernetes = kubernetes;
        this.diagnostics = diagnostics;
        this.registry = registry;
        this.store = store;
        this.board = board;
        this.statusTrigger = statusTrigger;
        this.events = events;
        this.clock = clock;
        this.meters = meters;
        this.config = config;
    }

    void start(@Observes StartupEvent start) {
        workers = Executors.newFixedThreadPool(4, daemon("leakguard-sampler"));
        io.leakguard.operator.fairness.ByteBudget bodies = new io.leakguard.operator.fairness.ByteBudget(
                config.scrape().bytesInFlight(), config.scrape().bytesInFlightPerNamespace());
        scrapes = new ScrapeClient(new io.leakguard.operator.fairness.TenantSlots(config.scrape().concurrency(),
                config.scrape().perNamespace()), bodies, config.scrape().maxBytes(), workers);
        prometheus = new PrometheusSource(workers, egress, bodies);
        scrapeTimer = Timer.builder("leakguard.scrape.duration").description("Time to read one pod's metrics")
                .publishPercentiles(0.5, 0.99).register(meters);
        for (VerdictKind kind : VerdictKind.values()) {
            Gauge.builder("leakguard.pods.verdict", board, b -> b.count(kind)).tag("verdict", kind.name())
                    .description("Pods by their latest verdict").register(meters);
        }
        ticker = Executors.newSingleThreadScheduledExecutor(daemon("leakguard-ticker"));
        ticker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent stop) {
        if (ticker != null) {
            ticker.shutdownNow();
            workers.shutdownNow();
        }
    }

    /** True when no round is in flight. */
    public boolean idle() {
        return inFlight.isEmpty();
    }

    /** Starts the rounds that are due. Public for tests that drive time themselves. */
    public void tick() {
        try {
            for (ResourceID gone : registry.forgetAbsent()) {
                board.forget(gone);
                diagnostics.forget(gone);
                LOG.infof("policy is gone without its cleanup (finalizer removed by hand?), its pods are no longer"
                        + " watched: namespace=%s policy=%s", gone.getNamespace().orElse(""), gone.getName());
            }
            long now = clock.millis();
            Set<String> tracked = new HashSet<>();
            Set<String> trackedByPolicy = new HashSet<>();
            Set<String> lives = new HashSet<>();
            for (ResourceID policy : registry.policies()) {
                List<TrackedPod> pods = registry.podsOf(policy);
                pods.forEach(p -> {
                    tracked.add(seriesKey(policy, p));
                    trackedByPolicy.add(policy + "/" + p.name());
                    lives.add(p.lifeKey());
                });
                LeakPolicySpec spec = registry.spec(policy).orElse(null);
                if (spec == null) {
                    board.forget(policy);
                    continue;
                }
                board.retainPods(policy, pods.stream().map(TrackedPod::name).collect(java.util.stream.Collectors.toSet()));
                if (now >= nextRound.getOrDefault(policy, 0L) && inFlight.add(policy)) {
                    try {
                        nextRound.put(policy, now + GoDuration.parse(spec.metrics.interval).toMillis());
                        round(policy, spec, pods, now);
                    } catch (RuntimeException e) {
                        // One policy's failure must neither stop the others nor leave this one stuck in flight.
                        inFlight.remove(policy);
                        roundFailed(policy, spec, pods, e);
                    }
                }
            }
            // Nothing here may outlive the pods and policies it describes: a leak detector must not leak.
            nextRound.keySet().retainAll(registry.policies());
            lastStatusRefresh.keySet().retainAll(registry.policies());
            lastKind.keySet().retainAll(trackedByPolicy);
            store.retainOnly(tracked);
            diagnostics.retainLives(lives);
        } catch (RuntimeException e) {
            LOG.error("sampling tick failed; will try again next second", e);
        }
    }

    private void round(ResourceID policy, LeakPolicySpec spec, List<TrackedPod> pods, long now) {
        DetectorSettings settings = DetectorSettings.from(spec.detection, spec.metrics);
        RuntimeProfile profile = RuntimeProfile.of(spec.runtime, spec.metrics.names);
        Duration asked = GoDuration.parse(spec.metrics.timeout);
        Duration timeout = asked.compareTo(config.scrape().maxTimeout()) > 0 ? config.scrape().maxTimeout() : asked;
        CompletableFuture<Map<String, ScrapeResult>> fromPrometheus = spec.metrics.source == MetricsSource.Prometheus
                ? sampleFromPrometheus(policy, spec, pods, profile, timeout, settings, now) : null;
        List<CompletableFuture<PodJudgement>> judgements = new ArrayList<>();
        for (TrackedPod pod : pods) {
            CompletableFuture<ScrapeResult> read = fromPrometheus != null
                    ? fromPrometheus.thenApply(byPod -> byPod.getOrDefault(pod.name(),
                            ScrapeResult.failed("no_gauges", "no answer for this pod", 0)))
                    : sample(pod, spec, profile, timeout);
            judgements.add(read
                    .thenApply(result -> judge(policy, pod, result, settings))
                    .exceptionally(error -> {
                        LOG.warnf(error, "judging pod failed: namespace=%s pod=%s", pod.namespace(), pod.name());
                        return new PodJudgement(pod.name(), Verdict.insufficient(0, "internal error: " + error),
                                String.valueOf(error), clock.millis());
                    }));
        }
        CompletableFuture.allOf(judgements.toArray(CompletableFuture[]::new)).whenComplete((ignored, error) -> {
            try {
                List<PodJudgement> done = judgements.stream().map(CompletableFuture::join).toList();
                publish(policy, spec, pods, done);
            } finally {
                inFlight.remove(policy);
            }
        });
    }

    /** Every pod of the policy gets the failure as its verdict, so the policy's status says what is wrong. */
    private void roundFailed(ResourceID policy, LeakPolicySpec spec, List<TrackedPod> pods, RuntimeException error) {
        LOG.warnf(error, "sampling round failed: namespace=%s policy=%s", policy.getNamespace().orElse(""),
                policy.getName());
        String reason = "sampling failed: " + error.getClass().getSimpleName() + ": " + error.getMessage();
        long now = clock.millis();
        publish(policy, spec, pods, pods.stream()
                .map(p -> new PodJudgement(p.name(), Verdict.insufficient(0, reason), reason, now)).toList());
    }

    /**
     * Prometheus mode: first backfill the history of pods whose series is empty (a new pod, a new life,
     * or an operator restart), then take one instant query for all of the policy's pods.
     */
    private CompletableFuture<Map<String, ScrapeResult>> sampleFromPrometheus(ResourceID policy, LeakPolicySpec spec,
            List<TrackedPod> pods, RuntimeProfile profile, Duration timeout, DetectorSettings settings, long now) {
        String namespace = policy.getNamespace().orElse("");
        String token;
        try {
            token = bearerToken(namespace, spec);
        } catch (RuntimeException e) {
            Map<String, ScrapeResult> failed = new java.util.HashMap<>();
            pods.forEach(p -> failed.put(p.name(), ScrapeResult.failed("no_credentials", e.getMessage(), 0)));
            return CompletableFuture.completedFuture(failed);
        }
        String url = spec.metrics.prometheus.url;
        List<TrackedPod> fresh = pods.stream().filter(p -> store.history(seriesKey(policy, p))
                .map(h -> !h.series().lifeKey().equals(p.lifeKey()) || h.series().size() == 0).orElse(true)).toList();
        CompletableFuture<Void> backfill = CompletableFuture.completedFuture(null);
        if (!fresh.isEmpty()) {
            long from = now - settings.windowMillis();
            backfill = prometheus.history(url, token, namespace, fresh, profile, timeout.multipliedBy(4), from, now,
                    Duration.ofMillis(settings.intervalMillis()))
                    .thenAccept(history -> replay(policy, history, fresh, profile, settings))
                    .exceptionally(error -> {
                        LOG.warnf("backfill from Prometheus failed, starting without history: namespace=%s policy=%s"
                                + " error=%s", namespace, policy.getName(), error.getMessage());
                        return null;
                    });
        }
        return backfill.thenCompose(ignored -> prometheus.sample(url, token, namespace, pods, profile, timeout, now))
                .whenComplete((results, error) -> {
                    if (results != null) {
                        results.values().forEach(r -> meters.counter("leakguard.scrapes", "outcome", r.outcome()).increment());
                    }
                });
    }

    /** Feeds backfilled points into the store, step by step, only from the pod's current life. */
    private void replay(ResourceID policy, List<io.leakguard.operator.backtest.PromSeries> history, List<TrackedPod> pods,
            RuntimeProfile profile, DetectorSettings settings) {
        for (TrackedPod pod : pods) {
            List<io.leakguard.operator.backtest.PromSeries> own = history.stream()
                    .filter(s -> pod.name().equals(s.labels().get("pod"))).toList();
            java.util.TreeSet<Long> times = new java.util.TreeSet<>();
            own.forEach(s -> {
                for (int i = 0; i < s.size(); i++) {
                    if (s.timeMillis(i) >= pod.lifeStartMillis()) {
                        times.add(s.timeMillis(i));
                    }
                }
            });
            for (long t : times) {
                List<io.leakguard.operator.exposition.Sample> samples = new ArrayList<>();
                for (var s : own) {
                    double v = s.valueAt(t, 0);
                    if (!Double.isNaN(v)) {
                        samples.add(new io.leakguard.operator.exposition.Sample(s.name(), s.labels(), v));
                    }
                }
                Gauges r = profile.read(samples);
                if (!r.empty()) {
                    store.record(seriesKey(policy, pod), pod.lifeKey(), pod.lifeStartMillis(), settings.bucketMillis(),
                    DetectorSettings.BUCKETS, t, r);
                }
            }
            if (!times.isEmpty()) {
                LOG.infof("backfilled history from Prometheus: namespace=%s pod=%s points=%d", pod.namespace(),
                        pod.name(), times.size());
            }
        }
    }

    private String bearerToken(String namespace, LeakPolicySpec spec) {
        var ref = spec.metrics.prometheus.bearerTokenSecretRef;
        if (ref == null) {
            return null;
        }
        io.fabric8.kubernetes.api.model.Secret secret;
        try {
            secret = kubernetes.secrets().inNamespace(namespace).withName(ref.name).get();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read Secret " + namespace + "/" + ref.name + ": " + e.getMessage());
        }
        return io.leakguard.operator.secrets.SecretConsent.value(secret, namespace, ref.name, ref.key,
                "spec.metrics.prometheus.bearerTokenSecretRef");
    }

    private CompletableFuture<ScrapeResult> sample(TrackedPod pod, LeakPolicySpec spec, RuntimeProfile profile,
            Duration timeout) {
        if (pod.targetProblem() != null) {
            return CompletableFuture.completedFuture(ScrapeResult.failed("no_target", pod.targetProblem(), 0));
        }
        URI url = URI.create((spec.metrics.scheme == Scheme.HTTPS ? "https" : "http") + "://" + hostPort(pod)
                + spec.metrics.path);
        return scrapes.scrape(pod.namespace(), url, timeout, profile).whenComplete((result, error) -> {
            if (result != null) {
                meters.counter("leakguard.scrapes", "outcome", result.outcome()).increment();
                scrapeTimer.record(result.durationNanos(), TimeUnit.NANOSECONDS);
            }
        });
    }

    private static String hostPort(TrackedPod pod) {
        String ip = pod.podIp().contains(":") ? "[" + pod.podIp() + "]" : pod.podIp();
        return ip + ":" + pod.port();
    }

    /**
     * A history per policy and pod: two policies may watch one pod with different windows, sources or
     * metric names, and must never share, mix or reset each other's series.
     */
    private static String seriesKey(ResourceID policy, TrackedPod pod) {
        return policy.getName() + "|" + pod.key();
    }

    private PodJudgement judge(ResourceID policy, TrackedPod pod, ScrapeResult result, DetectorSettings settings) {
        long now = clock.millis();
        PodHistory history;
        if (result.succeeded()) {
            Gauges r = result.reading();
            history = store.record(seriesKey(policy, pod), pod.lifeKey(), pod.lifeStartMillis(), settings.bucketMillis(),
                    DetectorSettings.BUCKETS, now, r);
        } else {
            history = store.history(seriesKey(policy, pod)).filter(h -> h.series().lifeKey().equals(pod.lifeKey())).orElse(null);
        }
        Verdict verdict;
        if (history == null) {
            verdict = Verdict.insufficient(0, "no sample yet: " + result.error());
        } else {
            synchronized (history.series()) {
                verdict = TrendDetector.evaluate(history.series(), history.trends(), scratch.get(), now,
                        Ceilings.memoryLimit(pod.memoryLimitBytes()), settings);
            }
            if (verdict.kind() == VerdictKind.InsufficientData && !result.succeeded()) {
                verdict = Verdict.insufficient(verdict.samples(), verdict.reason() + " (last error: " + result.error() + ")");
            }
        }
        return new PodJudgement(pod.name(), verdict, result.error(), now);
    }

    private void publish(ResourceID policy, LeakPolicySpec spec, List<TrackedPod> pods, List<PodJudgement> judgements) {
        boolean kindChanged = false;
        Map<String, TrackedPod> byName = new ConcurrentHashMap<>();
        pods.forEach(p -> byName.put(p.name(), p));
        for (PodJudgement judgement : judgements) {
            board.put(policy, judgement);
            TrackedPod pod = byName.get(judgement.pod());
            VerdictKind kind = judgement.verdict().kind();
            VerdictKind before = lastKind.put(policy + "/" + pod.name(), kind);
            if (before != kind) {
                kindChanged = true;
                LOG.infof("verdict changed: namespace=%s policy=%s pod=%s from=%s to=%s reason=%s", pod.namespace(),
                        policy.getName(), pod.name(), before, kind, judgement.verdict().reason());
                recordEvent(policy, pod, before, judgement.verdict());
                if (kind == VerdictKind.Suspect && before != VerdictKind.Leaking) {
                    diagnostics.baseline(spec, pod);
                } else if (kind == VerdictKind.Leaking) {
                    diagnostics.trigger(policy, registry.uid(policy), spec, pod)
                            .thenAccept(record -> statusTrigger.verdictsChanged(policy));
                }
            }
        }
        long now = clock.millis();
        if (kindChanged || now - lastStatusRefresh.getOrDefault(policy, 0L) >= STATUS_REFRESH_MILLIS) {
            lastStatusRefresh.put(policy, now);
            statusTrigger.verdictsChanged(policy);
        }
    }

    private void recordEvent(ResourceID policy, TrackedPod pod, VerdictKind before, Verdict verdict) {
        String reason = switch (verdict.kind()) {
            case Leaking -> "LeakDetected";
            case Suspect -> "LeakSuspected";
            case Healthy -> before == VerdictKind.Suspect || before == VerdictKind.Leaking ? "LeakCleared" : null;
            case InsufficientData -> null;
        };
        if (reason == null) {
            return;
        }
        Pod ref = pod.reference();
        String type = verdict.kind() == VerdictKind.Healthy ? "Normal" : "Warning";
        events.record(ref, type, reason, verdict.reason());
        io.leakguard.api.v1alpha1.LeakPolicy policyRef = new io.leakguard.api.v1alpha1.LeakPolicy();
        policyRef.getMetadata().setName(policy.getName());
        policyRef.getMetadata().setNamespace(pod.namespace());
        policyRef.getMetadata().setUid(registry.uid(policy));
        events.record(policyRef, type, reason, pod.name() + ": " + verdict.reason());
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Counts per verdict, for status. */
    public static Map<VerdictKind, Integer> counts(List<PodJudgement> judgements) {
        Map<VerdictKind, Integer> counts = new EnumMap<>(VerdictKind.class);
        judgements.forEach(j -> counts.merge(j.verdict().kind(), 1, Integer::sum));
        return counts;
    }
}
