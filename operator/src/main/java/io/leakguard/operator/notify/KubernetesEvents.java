package io.leakguard.operator.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import jakarta.inject.Singleton;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.leakguard.operator.config.LeakGuardConfig;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

/**
 * Records core/v1 Events on pods and policies, at most one per object and reason per
 * {@code leakguard.events.min-interval}. Failing to record an Event is logged and counted, never thrown:
 * Events are for people, and must not stop the operator.
 */
@Singleton
public class KubernetesEvents {

    private static final Logger LOG = Logger.getLogger(KubernetesEvents.class);
    public static final String COMPONENT = "leakguard";

    private final KubernetesClient client;
    private final Clock clock;
    private final Duration minInterval;
    private final MeterRegistry meters;
    /** Rate-limit memory, bounded: the least recently used keys go first. */
    private final Map<String, Instant> lastSent = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
                    return size() > 10_000;
                }
            });

    public KubernetesEvents(KubernetesClient client, Clock clock, LeakGuardConfig config, MeterRegistry meters) {
        this.client = client;
        this.clock = clock;
        this.minInterval = config.events().minInterval();
        this.meters = meters;
    }

    /** A Normal or Warning Event about {@code object}; returns false when rate-limited or it failed. */
    public boolean record(HasMetadata object, String type, String reason, String message) {
        Instant now = clock.instant();
        String key = object.getMetadata().getUid() + "/" + object.getMetadata().getName() + "/" + reason;
        Instant previous = lastSent.get(key);
        if (previous != null && Duration.between(previous, now).compareTo(minInterval) < 0) {
            return false;
        }
        lastSent.put(key, now);
        String namespace = object.getMetadata().getNamespace();
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(object.getMetadata().getName() + "." + Long.toHexString(now.toEpochMilli())
                            + Integer.toHexString(reason.hashCode() & 0xfff))
                    .withNamespace(namespace)
                    .endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(object.getApiVersion())
                            .withKind(object.getKind()).withName(object.getMetadata().getName())
                            .withNamespace(namespace).withUid(object.getMetadata().getUid()).build())
                    .withType(type).withReason(reason).withMessage(truncate(message))
                    .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent("leakguard.io/operator")
                    .build()).create();
            meters.counter("leakguard.events", "reason", reason, "result", "recorded").increment();
            return true;
        } catch (RuntimeException e) {
            meters.counter("leakguard.events", "reason", reason, "result", "failed").increment();
            LOG.warnf("could not record Event %s on %s %s/%s: %s", reason, object.getKind().toLowerCase(Locale.ROOT),
                    namespace, object.getMetadata().getName(), e.getMessage());
            return false;
        }
    }

    private static String truncate(String message) {
        return message.length() <= 1024 ? message : message.substring(0, 1021) + "...";
    }
}
