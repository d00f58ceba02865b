package io.leakguard.operator.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every operator-wide setting, in one place. Each can be set as a system property
 * ({@code -Dleakguard.namespaces=a,b}) or an environment variable ({@code LEAKGUARD_NAMESPACES=a,b}).
 */
@ConfigMapping(prefix = "leakguard")
public interface LeakGuardConfig {

    /** Namespaces whose LeakPolicies and pods are watched. Unset: all namespaces. */
    Optional<List<String>> namespaces();

    LeaderElection leaderElection();

    Scrape scrape();

    Events events();

    Dumps dumps();

    /** How thread and goroutine dumps are taken. */
    interface Dumps {

        /**
         * How often the Go leak profile of a pod is read, for the policies that act on proven leaks
         * ({@code detection.provenLeakGoroutines}). Each read runs one leak-finding GC cycle in the pod.
         */
        @WithDefault("5m")
        Duration leakProfileEvery();

        /** Most dumps in progress at once, across all pods. */
        @WithDefault("4")
        int concurrency();

        /** Most dumps in progress at once for the pods of one namespace. */
        @WithDefault("1")
        int perNamespace();

        /** Longest a dump may take, whatever a policy's {@code threadDump.timeout} says. */
        @WithDefault("30s")
        Duration maxTimeout();
    }

    Egress egress();

    /** Where URLs written in LeakPolicies may send the operator (see {@code EgressRules}). */
    interface Egress {

        /** Hosts a policy's URLs may name, each exact or {@code *.suffix}. Unset: any host not refused otherwise. */
        Optional<List<String>> allowedHosts();

        /** Allow URLs on loopback addresses (the operator's own). */
        @WithDefault("false")
        boolean allowLoopback();

        /** Allow URLs on link-local addresses (cloud metadata services live there). */
        @WithDefault("false")
        boolean allowLinkLocal();
    }

    /** How pods' metrics endpoints are read. */
    interface Scrape {

        /** Largest response read; a larger one is abandoned and counted as a scrape error. */
        @WithDefault("4194304")
        int maxBytes();

        /**
         * Most scrapes in flight at once, across all pods. Scrapes are asynchronous, so a slot costs no
         * thread; it needs to cover pods / interval * scrape time, plus the slow pods held to their
         * timeout: 10,000 pods at 15 s with 2% of them slow (2 s) need about 60.
         */
        @WithDefault("128")
        int concurrency();

        /** Most scrapes in flight at once for the pods of one namespace: its share of {@code concurrency}. */
        @WithDefault("8")
        int perNamespace();

        /** Bytes of scrape bodies and Prometheus answers held at once, until parsed (96 MiB). */
        @WithDefault("100663296")
        long bytesInFlight();

        /** Of those, the most one namespace's pods and policies may hold (32 MiB). */
        @WithDefault("33554432")
        long bytesInFlightPerNamespace();

        /**
         * Longest a scrape or a Prometheus query may take, whatever a policy's {@code metrics.timeout} says:
         * the scrape slots are shared, and one tenant's hanging endpoints must not hold them for long.
         */
        @WithDefault("10s")
        Duration maxTimeout();
    }

    /** Kubernetes Events on verdict changes. */
    interface Events {

        /** Least time between two Events of the same reason on the same pod. */
        @WithDefault("10m")
        Duration minInterval();
    }

    Log log();

    /** Lease-based leader election, so that two replicas never act at once. */
    interface LeaderElection {

        /** Turn on when running more than one replica. */
        @WithDefault("false")
        boolean enabled();

        /** Name of the coordination.k8s.io Lease. */
        @WithDefault("leakguard-operator")
        String leaseName();

        /** Namespace of the Lease. Unset: the namespace the operator runs in. */
        Optional<String> leaseNamespace();

        /**
         * Exit when leadership is lost, so that the replica restarts with fresh state instead of
         * lingering with caches that no longer reflect what the new leader does.
         */
        @WithDefault("true")
        boolean exitOnLostLease();
    }

    /** Logging format. */
    interface Log {

        /** One JSON object per line, for log pipelines. Applied through quarkus.log.console.json.enabled. */
        @WithDefault("false")
        boolean json();
    }
}
