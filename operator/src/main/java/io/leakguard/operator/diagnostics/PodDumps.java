package io.leakguard.operator.diagnostics;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.leakguard.api.v1alpha1.DumpSource;
import io.leakguard.api.v1alpha1.Scheme;
import io.leakguard.operator.config.LeakGuardConfig;
import io.leakguard.operator.fairness.TenantSlots;
import io.leakguard.operator.spec.Policy;
import io.leakguard.operator.tracking.TrackedPod;

/**
 * Takes a pod's dump the way its policy says (Go pprof, an HTTP endpoint, or jcmd through pod exec), in one
 * of its namespace's dump slots, within the operator's cap on a dump's time.
 */
final class PodDumps {

    private final KubernetesClient client;
    private final DumpCollector collector;
    /** Dumps in progress, shared per namespace: one team's hanging dump endpoints cannot block the others'. */
    private final TenantSlots slots;
    private final Duration maxTimeout;
    private final ExecutorService threads = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "leakguard-dumps");
        thread.setDaemon(true);
        return thread;
    });

    PodDumps(KubernetesClient client, LeakGuardConfig config) {
        this.client = client;
        this.collector = new DumpCollector(config.dumps().concurrency(), threads);
        this.slots = new TenantSlots(config.dumps().concurrency(), config.dumps().perNamespace());
        this.maxTimeout = config.dumps().maxTimeout();
    }

    void stop() {
        threads.shutdownNow();
    }

    CompletableFuture<CollectedDump> collect(Policy spec, TrackedPod pod) {
        String refused = slots.tryAcquire(pod.namespace());
        if (refused != null) {
            return CompletableFuture.failedFuture(new DumpException("dump not taken: " + refused));
        }
        try {
            return collectInSlot(spec, pod).whenComplete((dump, error) -> slots.release(pod.namespace()));
        } catch (RuntimeException e) {
            slots.release(pod.namespace());
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A Go pod's goroutine and leak profiles in pprof format, for a profiler (see {@link DumpCollector#goProfiles}). */
    CompletableFuture<java.util.Map<String, byte[]>> profiles(Policy policy, TrackedPod pod) {
        Duration timeout = policy.dumps().timeout().compareTo(maxTimeout) > 0 ? maxTimeout : policy.dumps().timeout();
        try {
            return collector.goProfiles(endpoint(policy, pod), timeout, policy.dumps().maxBytes());
        } catch (DumpException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    java.util.concurrent.Executor executor() {
        return threads;
    }

    private CompletableFuture<CollectedDump> collectInSlot(Policy policy, TrackedPod pod) {
        Policy.Dumps dump = policy.dumps();
        Duration timeout = dump.timeout().compareTo(maxTimeout) > 0 ? maxTimeout : dump.timeout();
        if (dump.source() == null) {
            return CompletableFuture.failedFuture(new DumpException(
                    "runtime Custom needs spec.diagnostics.threadDump.source Http and a path"));
        }
        if (dump.source() == DumpSource.JvmJcmd) {
            return collector.jvm(new PodExecRunner(client, pod.namespace(), pod.name(), pod.container()), timeout,
                    dump.maxBytes());
        }
        String base;
        try {
            base = endpoint(policy, pod);
        } catch (DumpException e) {
            return CompletableFuture.failedFuture(e);
        }
        return dump.source() == DumpSource.GoPprof ? collector.goPprof(base, dump.path(), timeout, dump.maxBytes())
                : collector.httpEndpoint(base + dump.path(), timeout, dump.maxBytes());
    }

    /** The scheme, host and port of the pod's dump endpoint (GoPprof, Http); throws when it has none. */
    static String endpoint(Policy policy, TrackedPod pod) {
        if (pod.podIp() == null) {
            throw new DumpException("the pod has no IP");
        }
        IntOrString asked = policy.dumps().port();
        int port = asked == null ? pod.port() : asked.getIntVal() != null ? asked.getIntVal() : -1;
        if (port <= 0) {
            throw new DumpException("no port for the dump endpoint: set spec.diagnostics.threadDump.port");
        }
        String host = pod.podIp().contains(":") ? "[" + pod.podIp() + "]" : pod.podIp();
        return (policy.sampling().scheme() == Scheme.HTTPS ? "https" : "http") + "://" + host + ":" + port;
    }
}
