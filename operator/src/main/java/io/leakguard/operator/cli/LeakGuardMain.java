package io.leakguard.operator.cli;

import java.io.PrintStream;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * One artifact, several uses: with no command it runs the operator; {@code backtest} and
 * {@code evaluate} run offline, without a cluster and without starting the operator.
 */
@QuarkusMain
public final class LeakGuardMain {

    private LeakGuardMain() {
    }

    /**
     * Idle connections each JDK HTTP client keeps (the scrape client is the one that reaches every pod). The
     * JDK keeps every connection by default, and each idle one holds its last exchange and a 16 KB read
     * buffer: at 10,000 pods that was 3,600 connections and 57 MB of the heap, and the pool's bookkeeping
     * grows with it. Past this many pods a scrape opens a fresh connection, which on a cluster network
     * costs one round trip. A {@code -Djdk.httpclient.connectionPoolSize} in JAVA_TOOL_OPTIONS wins.
     */
    static final String IDLE_CONNECTIONS = "256";

    public static void main(String... args) {
        // Both are read once, when the JDK's classes are first loaded: before any client or pool exists.
        jdkDefaults(System.getProperties(), java.lang.Runtime.getRuntime().availableProcessors());
        if (args.length > 0 && OfflineCommands.handles(args[0])) {
            System.exit(OfflineCommands.run(args, System.out, System.err));
        }
        Quarkus.run(args);
    }

    /**
     * The JDK HTTP client hands every asynchronous response to CompletableFuture's default executor, and with
     * fewer than three processors (the common pool's parallelism is then 1) that executor starts a new thread
     * per task: at 10,000 pods on two cores, hundreds of threads a second. A common pool of at least two
     * workers keeps them.
     */
    static final int COMMON_POOL_MIN = 2;

    static void jdkDefaults(java.util.Properties properties, int processors) {
        properties.putIfAbsent("jdk.httpclient.connectionPoolSize", IDLE_CONNECTIONS);
        properties.putIfAbsent("java.util.concurrent.ForkJoinPool.common.parallelism",
                Integer.toString(Math.max(COMMON_POOL_MIN, processors - 1)));
    }

    /** Exit codes shared by the offline commands. */
    static final int OK = 0;
    static final int USAGE = 2;

    static void usage(PrintStream err) {
        err.println("""
                usage:
                  java -jar quarkus-run.jar                       run the operator
                  java -jar quarkus-run.jar backtest --policy POLICY.yaml --series DIR [--output report.json]
                  java -jar quarkus-run.jar evaluate [--corpus gauges|go-runtime|go-rough|jvm-runtime|jvm-rough|recorded] [--series DIR] [--policy POLICY.yaml]
                                                  [--seed N] [--per-scenario N] [--hours H] [--by-scenario true]
                  java -jar quarkus-run.jar generate --output DIR [--corpus gauges|go-runtime|go-rough|jvm-runtime|jvm-rough] [--seed N]
                                                  [--per-scenario N] [--hours H]
                  java -jar quarkus-run.jar bench [--pods N] [--rounds N]
                  java -jar quarkus-run.jar analyze DUMP [--baseline OLDER_DUMP] [--json] [--top N]""");
    }
}
