package io.leakguard.e2e.harness;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real process in its own memory cgroup (v1 or v2, see {@link MemoryCgroups}), with the pod's memory
 * limit, so that the kernel's OOM killer is real. It records how the process ended: killed by the
 * OOM killer, or terminated gracefully after SIGTERM within its grace period, or killed after it.
 */
public final class CgroupProcess implements AutoCloseable {

    private static final MemoryCgroups CGROUPS = MemoryCgroups.detect();

    /** How a process ended. */
    public enum Ending {
        Running, OomKilled, TerminatedGracefully, KilledAfterGracePeriod, Exited
    }

    private final MemoryCgroups.Cgroup cgroup;
    private final Process process;
    private volatile boolean terminationRequested;
    private volatile Ending ending = Ending.Running;
    private java.util.concurrent.CompletableFuture<Void> recorded;

    private CgroupProcess(MemoryCgroups.Cgroup cgroup, Process process) {
        this.cgroup = cgroup;
        this.process = process;
    }

    /** Why cgroups cannot be used here, with what to do, or null when they can. */
    public static String unavailableReason() {
        return CGROUPS.unavailableReason();
    }

    /** The cgroup layout in use: "v1", "v2" or "v2 (systemd user scope)". */
    public static String cgroupLayout() {
        return CGROUPS.describe();
    }

    /**
     * Starts {@code command} inside a new memory cgroup limited to {@code limitBytes}. The shell joins
     * the cgroup before it execs, so the program never runs outside it.
     */
    public static CgroupProcess start(String name, long limitBytes, List<String> command, Path log) throws IOException {
        return start(name, limitBytes, command, log, java.util.Map.of());
    }

    /** As {@link #start(String, long, List, Path)}, with {@code env} added to the process's environment. */
    public static CgroupProcess start(String name, long limitBytes, List<String> command, Path log,
            java.util.Map<String, String> env) throws IOException {
        MemoryCgroups.Cgroup cgroup = CGROUPS.create(name, limitBytes);
        ProcessBuilder builder = new ProcessBuilder(cgroup.wrap(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        cgroup.started(process.pid());
        CgroupProcess started = new CgroupProcess(cgroup, process);
        started.recorded = process.onExit().thenRun(started::recordEnding);
        return started;
    }

    private void recordEnding() {
        int code = process.exitValue();
        if (oomKills() > 0) {
            ending = Ending.OomKilled;
        } else if (terminationRequested && code == 0) {
            ending = Ending.TerminatedGracefully;
        } else if (terminationRequested) {
            ending = Ending.KilledAfterGracePeriod;
        } else {
            ending = Ending.Exited;
        }
        try {
            cgroup.remove();
        } catch (IOException e) {
            // a cgroup with processes left cannot be removed yet; close() tries again
        }
    }

    /** The kernel's count of OOM kills in this cgroup. */
    public long oomKills() {
        long kills = cgroup.oomKills();
        return kills >= 0 ? kills : ending == Ending.OomKilled ? 1 : 0;
    }

    /** SIGTERM, then SIGKILL if it is still running after {@code grace}, as the kubelet does. */
    public void terminate(Duration grace) throws InterruptedException {
        terminationRequested = true;
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
        }
        recorded.join();
    }

    /** SIGKILL, as a crash would end it: recorded as {@link Ending#Exited}, not as a requested termination. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public Ending awaitEnding(Duration timeout) throws InterruptedException {
        process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (process.isAlive()) {
            return Ending.Running;
        }
        recorded.join();
        return ending;
    }

    /** Runs {@code action} with the ending once the process has ended. */
    public void whenEnded(java.util.function.Consumer<Ending> action) {
        recorded.thenRun(() -> action.accept(ending));
    }

    /** The cgroup's memory use as the kernel counts it against the limit, or -1 once it is gone. */
    public long memoryBytes() {
        return cgroup.memoryBytes();
    }

    public Ending ending() {
        return ending;
    }

    Process process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
        for (int i = 0; i < 50; i++) {
            try {
                cgroup.remove();
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
    }
}
