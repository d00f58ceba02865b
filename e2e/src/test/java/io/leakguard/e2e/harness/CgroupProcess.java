package io.leakguard.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real process in its own memory cgroup (v1, as these machines mount it), with the pod's memory
 * limit, so that the kernel's OOM killer is real. It records how the process ended: killed by the
 * OOM killer, or terminated gracefully after SIGTERM within its grace period, or killed after it.
 */
public final class CgroupProcess implements AutoCloseable {

    static final Path MEMORY_ROOT = Path.of("/sys/fs/cgroup/memory");

    /** How a process ended. */
    public enum Ending {
        Running, OomKilled, TerminatedGracefully, KilledAfterGracePeriod, Exited
    }

    private final Path cgroup;
    private final Process process;
    private volatile boolean terminationRequested;
    private volatile Ending ending = Ending.Running;
    private java.util.concurrent.CompletableFuture<Void> recorded;

    private CgroupProcess(Path cgroup, Process process) {
        this.cgroup = cgroup;
        this.process = process;
    }

    /** Why cgroups cannot be used here, or null when they can. */
    public static String unavailableReason() {
        if (!Files.isDirectory(MEMORY_ROOT)) {
            return "no cgroup v1 memory controller at " + MEMORY_ROOT;
        }
        if (!Files.isWritable(MEMORY_ROOT)) {
            return MEMORY_ROOT + " is not writable (run as root)";
        }
        return null;
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
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException("cannot give the process a real memory limit: " + reason);
        }
        Path cgroup = MEMORY_ROOT.resolve("leakguard-e2e-" + name + "-" + ProcessHandle.current().pid());
        Files.createDirectories(cgroup);
        Files.writeString(cgroup.resolve("memory.limit_in_bytes"), Long.toString(limitBytes));
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c",
                "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec \"$@\"", "leakguard-e2e"));
        wrapped.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(wrapped).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
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
            Files.deleteIfExists(cgroup);
        } catch (IOException e) {
            // a cgroup with processes left cannot be removed yet; close() tries again
        }
    }

    /** The kernel's count of OOM kills in this cgroup. */
    public long oomKills() {
        try {
            for (String line : Files.readAllLines(cgroup.resolve("memory.oom_control"))) {
                if (line.startsWith("oom_kill ")) {
                    return Long.parseLong(line.substring("oom_kill ".length()).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return ending == Ending.OomKilled ? 1 : 0;
        }
        return 0;
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
        try {
            return Long.parseLong(Files.readString(cgroup.resolve("memory.usage_in_bytes")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
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
        for (int i = 0; i < 50 && Files.exists(cgroup); i++) {
            try {
                Files.deleteIfExists(cgroup);
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
    }
}
