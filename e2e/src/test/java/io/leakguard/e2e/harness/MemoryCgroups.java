package io.leakguard.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the harness makes a memory cgroup for each of its pods, and how it reads what the kernel did
 * there. Three layouts, chosen by {@link #detect}:
 * <ul>
 * <li><b>v1</b>: the memory controller mounted on its own ({@code /sys/fs/cgroup/memory}), as root:
 * {@code memory.limit_in_bytes}, {@code memory.oom_control} ({@code oom_kill}),
 * {@code memory.usage_in_bytes};</li>
 * <li><b>v2, a writable parent</b>: the unified hierarchy ({@code /sys/fs/cgroup/cgroup.controllers}
 * lists {@code memory}), as root or inside a delegated subtree: a child per pod with
 * {@code memory.max}, {@code memory.swap.max}, {@code memory.events} ({@code oom_kill}),
 * {@code memory.current};</li>
 * <li><b>v2 through systemd</b>: a normal user whose cgroup is not writable; each pod runs in a
 * transient scope ({@code systemd-run --user --scope -p MemoryMax=...}), whose cgroup is found from
 * the process's {@code /proc/PID/cgroup} and read as above.</li>
 * </ul>
 * Anything else gets a reason that says what to do.
 */
public abstract class MemoryCgroups {

    /** The name every harness cgroup starts with, so that leftovers are easy to find. */
    static final String PREFIX = "leakguard-e2e-";

    /** One pod's cgroup. */
    public interface Cgroup {
        /** The command that joins this cgroup and then execs {@code command}: the program never runs outside it. */
        List<String> wrap(List<String> command);

        /** The kernel's count of OOM kills in this cgroup; -1 when it cannot be read (the cgroup is gone). */
        long oomKills();

        /** Memory use as the kernel counts it against the limit, or -1 once the cgroup is gone. */
        long memoryBytes();

        /** Told the pid of the program once it has started. */
        default void started(long pid) {
        }

        /** Removes the cgroup; fails while a process is left in it. */
        void remove() throws IOException;
    }

    /** Why no pod can get a real memory limit here, with what to do about it; null when one can. */
    public String unavailableReason() {
        return null;
    }

    /** A new cgroup named after {@code name}, limited to {@code limitBytes}, swap off where the kernel allows. */
    public abstract Cgroup create(String name, long limitBytes) throws IOException;

    /** Which cgroup version and layout, for messages: "v1", "v2" or "v2 (systemd user scope)". */
    public abstract String describe();

    /** The layout of this machine, as the running user. */
    public static MemoryCgroups detect() {
        return detect(Path.of("/sys/fs/cgroup"), Path.of("/proc/self/cgroup"), isRoot(), userManagerAnswers());
    }

    /**
     * Pure over its inputs, for the tests: the cgroupfs mount, this process's {@code /proc/self/cgroup},
     * whether we run as root, and whether a systemd user manager answers.
     */
    static MemoryCgroups detect(Path mount, Path selfCgroup, boolean root, boolean systemdUser) {
        Path controllers = mount.resolve("cgroup.controllers");
        if (Files.isRegularFile(controllers)) {
            String enabled = read(controllers);
            if (!List.of(enabled.trim().split("\\s+")).contains("memory")) {
                return unavailable("cgroup v2 is mounted at " + mount + " but its memory controller is not available"
                        + " (cgroup.controllers: \"" + enabled.trim() + "\")");
            }
            if (root) {
                return new V2(mount, mount.resolve(PREFIX + "pods"), mount);
            }
            Path own = ownCgroup(mount, selfCgroup);
            if (own != null && Files.isWritable(own.resolve("cgroup.subtree_control"))
                    && Files.isWritable(own.resolve("cgroup.procs"))) {
                // A delegated subtree (systemd-run --user -p Delegate=yes, or a container given its own):
                // children for the pods, beside a leaf for ourselves.
                return new V2(mount, own.resolve(PREFIX + "pods"), own);
            }
            if (systemdUser) {
                return new SystemdScopes(mount);
            }
            return unavailable("cgroup v2 is mounted at " + mount + ", this user may not create cgroups there"
                    + (own == null ? "" : " (" + own + " is not delegated)")
                    + ", and no systemd user manager answers (systemctl --user). Run as root, or inside"
                    + " 'systemd-run --user --scope -p Delegate=yes', or log in with a systemd user session");
        }
        Path v1 = mount.resolve("memory");
        if (Files.isDirectory(v1)) {
            if (!Files.isWritable(v1)) {
                return unavailable(v1 + " (cgroup v1) is not writable: run as root");
            }
            return new V1(v1);
        }
        return unavailable("no cgroup filesystem at " + mount + " (neither v2's cgroup.controllers nor v1's memory/)");
    }

    /** Our own cgroup in the unified hierarchy, from the "0::/path" line of /proc/self/cgroup. */
    static Path ownCgroup(Path mount, Path selfCgroup) {
        for (String line : read(selfCgroup).split("\n")) {
            if (line.startsWith("0::")) {
                String path = line.substring(3).trim();
                return path.equals("/") ? mount : mount.resolve(path.substring(1));
            }
        }
        return null;
    }

    /** The value after {@code key} in a flat-keyed file such as memory.events or memory.oom_control; -1 if absent. */
    static long keyed(Path file, String key) {
        for (String line : read(file).split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 2 && fields[0].equals(key)) {
                try {
                    return Long.parseLong(fields[1]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    static long number(Path file) {
        try {
            return Long.parseLong(Files.readString(file).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer i && i == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** A systemd user manager that would run our scopes: {@code systemctl --user show-environment} answers. */
    private static boolean userManagerAnswers() {
        try {
            Process p = new ProcessBuilder("systemctl", "--user", "show-environment").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<String> joinThenExec(Path procs, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c",
                "echo $$ > '" + procs + "' && exec \"$@\"", "leakguard-e2e"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static MemoryCgroups unavailable(String reason) {
        return new MemoryCgroups() {
            @Override
            public String unavailableReason() {
                return reason;
            }

            @Override
            public Cgroup create(String name, long limitBytes) {
                throw new IllegalStateException("cannot give the process a real memory limit: " + reason);
            }

            @Override
            public String describe() {
                return "none";
            }
        };
    }

    /** cgroup v1: a directory per pod under the memory controller's mount. */
    static final class V1 extends MemoryCgroups {
        private final Path root;

        V1(Path root) {
            this.root = root;
        }

        @Override
        public String describe() {
            return "v1";
        }

        @Override
        public Cgroup create(String name, long limitBytes) throws IOException {
            Path dir = root.resolve(PREFIX + name + "-" + ProcessHandle.current().pid());
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(limitBytes));
            return new Directory(dir, "memory.oom_control", "memory.usage_in_bytes");
        }
    }

    /** cgroup v2 with a parent we may write: a child per pod, the memory controller enabled down to it. */
    static final class V2 extends MemoryCgroups {
        private final Path mount;
        private final Path parent;
        private final Path enableFrom;

        /**
         * @param parent where the pods' cgroups go
         * @param enableFrom the highest cgroup whose subtree_control must pass "memory" down to {@code parent}
         */
        V2(Path mount, Path parent, Path enableFrom) {
            this.mount = mount;
            this.parent = parent;
            this.enableFrom = enableFrom;
        }

        @Override
        public String describe() {
            return "v2";
        }

        @Override
        public Cgroup create(String name, long limitBytes) throws IOException {
            if (!enableFrom.equals(mount)) {
                leaveForLeaf(enableFrom);
            }
            Files.createDirectories(parent);
            // "No internal processes": a cgroup that hands controllers down holds no process of its own,
            // so the pods' parent is a cgroup of its own beside the harness, not the harness's cgroup.
            for (Path level = enableFrom; level != null && !level.equals(parent); level = childTowards(level, parent)) {
                enableMemory(level);
            }
            enableMemory(parent);
            Path dir = parent.resolve(PREFIX + name + "-" + ProcessHandle.current().pid());
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("memory.max"), Long.toString(limitBytes));
            if (Files.exists(dir.resolve("memory.swap.max"))) {
                Files.writeString(dir.resolve("memory.swap.max"), "0");
            }
            return new Directory(dir, "memory.events", "memory.current");
        }

        /**
         * Moves the processes of a delegated cgroup (the harness itself) into a leaf of their own, so that
         * the cgroup may hand the memory controller down to the pods.
         */
        private static void leaveForLeaf(Path delegated) throws IOException {
            String procs = read(delegated.resolve("cgroup.procs")).trim();
            if (procs.isEmpty()) {
                return;
            }
            Path leaf = delegated.resolve(PREFIX + "harness");
            Files.createDirectories(leaf);
            for (String pid : procs.split("\\s+")) {
                try {
                    Files.writeString(leaf.resolve("cgroup.procs"), pid + "\n", java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.APPEND);
                } catch (IOException e) {
                    // a process that has ended since it was listed
                }
            }
        }

        private static Path childTowards(Path from, Path to) {
            Path rest = from.relativize(to);
            return rest.getNameCount() == 0 ? null : from.resolve(rest.getName(0));
        }

        private void enableMemory(Path cgroup) throws IOException {
            Path control = cgroup.resolve("cgroup.subtree_control");
            if (!read(control).contains("memory")) {
                Files.writeString(control, "+memory");
            }
        }
    }

    /** cgroup v2 through a systemd user manager: each pod in its own transient scope with MemoryMax. */
    static final class SystemdScopes extends MemoryCgroups {
        private final Path mount;

        SystemdScopes(Path mount) {
            this.mount = mount;
        }

        @Override
        public String describe() {
            return "v2 (systemd user scope)";
        }

        @Override
        public Cgroup create(String name, long limitBytes) {
            String unit = PREFIX + name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100_000;
            return new Scope(mount, unit, limitBytes);
        }
    }

    /** A cgroup directory the harness made itself (v1 or v2). */
    static final class Directory implements Cgroup {
        private final Path dir;
        private final String eventsFile;
        private final String usageFile;

        Directory(Path dir, String eventsFile, String usageFile) {
            this.dir = dir;
            this.eventsFile = eventsFile;
            this.usageFile = usageFile;
        }

        @Override
        public List<String> wrap(List<String> command) {
            return joinThenExec(dir.resolve("cgroup.procs"), command);
        }

        @Override
        public long oomKills() {
            return Files.exists(dir.resolve(eventsFile)) ? Math.max(0, keyed(dir.resolve(eventsFile), "oom_kill")) : -1;
        }

        @Override
        public long memoryBytes() {
            return number(dir.resolve(usageFile));
        }

        @Override
        public void remove() throws IOException {
            Files.deleteIfExists(dir);
        }

        Path dir() {
            return dir;
        }
    }

    /**
     * A systemd transient scope: systemd-run execs the program in it, so its cgroup is the program's,
     * read from {@code /proc/PID/cgroup}. systemd removes the scope as soon as the program ends, with
     * its memory.events; the kill is then read from the parent's memory.events, which counts its
     * children's OOM kills too (against the count when the program started).
     */
    static final class Scope implements Cgroup {
        private final Path mount;
        private final String unit;
        private final long limitBytes;
        private volatile long pid = -1;
        private volatile Path dir;
        private volatile long parentKillsBefore = -1;

        Scope(Path mount, String unit, long limitBytes) {
            this.mount = mount;
            this.unit = unit;
            this.limitBytes = limitBytes;
        }

        @Override
        public List<String> wrap(List<String> command) {
            List<String> wrapped = new ArrayList<>(List.of("systemd-run", "--user", "--scope", "--quiet",
                    "--unit=" + unit, "-p", "MemoryMax=" + limitBytes, "-p", "MemorySwapMax=0", "--"));
            wrapped.addAll(command);
            return wrapped;
        }

        @Override
        public void started(long programPid) {
            this.pid = programPid;
            // systemd-run moves itself into the scope just before it execs the program: wait for that.
            for (int i = 0; i < 200 && attach() == null && ProcessHandle.of(programPid).isPresent(); i++) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private Path attach() {
            Path d = dir;
            if (d != null || pid < 0) {
                return d;
            }
            Path own = ownCgroup(mount, Path.of("/proc/" + pid + "/cgroup"));
            if (own != null && own.getFileName() != null && own.getFileName().toString().equals(unit + ".scope")) {
                parentKillsBefore = Math.max(0, keyed(own.getParent().resolve("memory.events"), "oom_kill"));
                dir = own;
            }
            return dir;
        }

        @Override
        public long oomKills() {
            Path d = attach();
            if (d == null) {
                return -1;
            }
            if (Files.exists(d.resolve("memory.events"))) {
                return Math.max(0, keyed(d.resolve("memory.events"), "oom_kill"));
            }
            long parentKills = keyed(d.getParent().resolve("memory.events"), "oom_kill");
            return parentKills < 0 ? -1 : Math.max(0, parentKills - parentKillsBefore);
        }

        @Override
        public long memoryBytes() {
            Path d = attach();
            return d == null ? -1 : number(d.resolve("memory.current"));
        }

        @Override
        public void remove() {
            // systemd removes a transient scope once its last process has ended
        }
    }
}
