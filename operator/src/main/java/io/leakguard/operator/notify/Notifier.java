package io.leakguard.operator.notify;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.leakguard.api.v1alpha1.AlertingSpec;
import io.leakguard.operator.http.EgressRules;
import io.leakguard.operator.secrets.SecretReader;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

/**
 * Tells teams where they already look: a Slack incoming webhook (URL from a Secret, never logged)
 * and Alertmanager's v2 API (every listed URL, as for an HA pair). Sending never blocks the caller:
 * each message is retried with backoff on its own, honouring Slack's Retry-After. Firing alerts are
 * re-sent every minute, as Prometheus does, until resolved with an {@code endsAt}.
 */
@Singleton
public class Notifier {

    private static final Logger LOG = Logger.getLogger(Notifier.class);
    public static final String ALERT_LEAK = "LeakGuardLeakDetected";
    public static final String ALERT_RESTART = "LeakGuardPodRestarted";
    static final Duration RESEND = Duration.ofMinutes(1);

    private final SecretReader secrets;
    private final MeterRegistry meters;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, runnable -> {
        Thread thread = new Thread(runnable, "leakguard-notifier");
        thread.setDaemon(true);
        return thread;
    });
    private final JsonPoster poster;
    private final Map<String, Firing> firing = new ConcurrentHashMap<>();
    /** Firing alerts whose pods stopped leaking, to be resolved once they have fired long enough. */
    private final Set<String> resolving = ConcurrentHashMap.newKeySet();
    /** What was already sent, bounded: the oldest keys go first (their pods are long gone). */
    private final Set<String> sent = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 10_000;
                }
            }));
    /**
     * Least time an alert stays firing before it is resolved. A restart usually clears a leak within
     * seconds, and Alertmanager never notifies an alert that fired and resolved within one
     * {@code group_wait} (30 s by default): without this, nobody would hear of the restart.
     */
    Duration minFiring = Duration.ofMinutes(2);

    /** An alert currently firing, kept to be re-sent and resolved. */
    record Firing(String policyKey, String pod, List<String> urls, Map<String, String> labels,
            Map<String, String> annotations, Instant startsAt) {
    }

    /** With no egress rule: tests that post to local receivers. */
    public Notifier(KubernetesClient client, MeterRegistry meters, Clock clock) {
        this(new SecretReader(client), meters, clock, EgressRules.ANY);
    }

    @Inject
    public Notifier(SecretReader secrets, MeterRegistry meters, Clock clock, EgressRules egress) {
        this.egress = egress;
        this.poster = new JsonPoster(meters, egress);
        this.secrets = secrets;
        this.meters = meters;
        this.clock = clock;
        scheduler.scheduleWithFixedDelay(this::resendFiring, RESEND.toSeconds(), RESEND.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Sends a notification once per {@code dedupeKey} (a pod life and kind): to Slack, and as an
     * Alertmanager alert that stays firing until {@link #resolve}.
     */
    public void notify(String dedupeKey, AlertingSpec alerting, Notification n) {
        if (alerting == null || !sent.add(dedupeKey)) {
            return;
        }
        if (alerting.slack != null && alerting.slack.webhookSecretRef != null) {
            sendSlack(alerting, n);
        }
        if (alerting.alertmanager != null && alerting.alertmanager.urls != null && !alerting.alertmanager.urls.isEmpty()) {
            String alertname = n.kind() == Notification.Kind.PodRestarted ? ALERT_RESTART : ALERT_LEAK;
            Map<String, String> labels = new LinkedHashMap<>();
            if (alerting.alertmanager.labels != null) {
                labels.putAll(alerting.alertmanager.labels);
            }
            labels.put("alertname", alertname);
            labels.put("namespace", n.namespace());
            labels.put("pod", n.pod());
            labels.put("policy", n.policy());
            labels.put("workload", n.workload() == null ? "" : n.workload());
            labels.putIfAbsent("severity", n.severity());
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put("summary", n.title());
            annotations.put("description", n.action() + (n.reason() == null ? "" : ". " + n.reason())
                    + (n.topGroups().isEmpty() ? "" : "\n" + String.join("\n", n.topGroups())));
            if (n.dumpConfigMap() != null) {
                annotations.put("dump", n.dumpConfigMap());
                annotations.put("dump_command", n.fetchDumpCommand());
            }
            Firing alert = new Firing(n.namespace() + "/" + n.policy(), n.pod(), List.copyOf(alerting.alertmanager.urls),
                    labels, annotations, clock.instant());
            String key = alert.policyKey() + "/" + n.pod() + "/" + alertname;
            resolving.remove(key);
            firing.put(key, alert);
            postAlerts(alert, null);
        }
    }

    /**
     * Resolves every alert of this policy whose pod is not in {@code stillLeaking} (gone, replaced or
     * recovered), once it has been firing for {@link #minFiring}: an alert younger than that is
     * resolved when it comes of age, unless its pod is Leaking again by then.
     */
    public void resolveExcept(String namespace, String policy, Set<String> stillLeaking) {
        String policyKey = namespace + "/" + policy;
        Instant now = clock.instant();
        for (Map.Entry<String, Firing> entry : List.copyOf(firing.entrySet())) {
            Firing alert = entry.getValue();
            if (!alert.policyKey().equals(policyKey)) {
                continue;
            }
            if (stillLeaking.contains(alert.pod())) {
                resolving.remove(entry.getKey());
                continue;
            }
            Instant due = alert.startsAt().plus(minFiring);
            if (!due.isAfter(now)) {
                resolve(entry.getKey());
            } else if (resolving.add(entry.getKey())) {
                scheduler.schedule(() -> {
                    if (resolving.contains(entry.getKey())) {
                        resolve(entry.getKey());
                    }
                }, Duration.between(now, due).toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void resolve(String key) {
        resolving.remove(key);
        Firing alert = firing.remove(key);
        if (alert == null) {
            return;
        }
        postAlerts(alert, clock.instant());
        LOG.infof("alert resolved: policy=%s pod=%s alert=%s", alert.policyKey(), alert.pod(),
                alert.labels().get("alertname"));
    }

    /** How many alerts are firing, for tests. */
    public int firingCount() {
        return firing.size();
    }

    private void resendFiring() {
        firing.values().forEach(alert -> postAlerts(alert, null));
    }

    private void postAlerts(Firing alert, Instant endsAt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("labels", alert.labels());
        body.put("annotations", alert.annotations());
        body.put("startsAt", alert.startsAt().toString());
        // While firing, endsAt is set a little beyond the next re-send, as Prometheus does, so an alert
        // whose sender died resolves on its own; resolving sets it to now.
        body.put("endsAt", (endsAt != null ? endsAt : clock.instant().plus(RESEND.multipliedBy(4))).toString());
        String payload;
        try {
            payload = json.writeValueAsString(List.of(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        for (String url : alert.urls()) {
            String target = (url.endsWith("/") ? url.substring(0, url.length() - 1) : url) + "/api/v2/alerts";
            poster.post(URI.create(target), payload, "alertmanager", target);
        }
    }

    private final EgressRules egress;

    private void sendSlack(AlertingSpec alerting, Notification n) {
        String where = "Slack webhook of " + n.namespace() + "/" + n.policy();
        String url;
        try {
            url = secrets.read(n.namespace(), alerting.slack.webhookSecretRef.name, alerting.slack.webhookSecretRef.key,
                    "spec.alerting.slack.webhookSecretRef");
        } catch (RuntimeException e) {
            meters.counter("leakguard.notifications", "sink", "slack", "result", "no_secret").increment();
            LOG.warnf("%s: nothing sent: %s", where, e.getMessage());
            return;
        }
        String refusal = egress.refusal(url);
        if (refusal != null) {
            meters.counter("leakguard.notifications", "sink", "slack", "result", "refused").increment();
            LOG.warnf("%s: nothing sent: the webhook URL in the Secret %s", where, refusal);
            return;
        }
        try {
            poster.post(URI.create(url), json.writeValueAsString(SlackMessage.render(n)), "slack", where);
        } catch (IllegalArgumentException | JsonProcessingException e) {
            meters.counter("leakguard.notifications", "sink", "slack", "result", "bad_url").increment();
            LOG.warnf("%s: the webhook URL in the Secret is not a URL; nothing sent", where);
        }
    }

    @PreDestroy
    void stop() {
        scheduler.shutdownNow();
        poster.stop();
    }

    /** The first retry delay of a failed post; tests shorten it. */
    void backoff(Duration first) {
        poster.backoff = first;
    }
}
