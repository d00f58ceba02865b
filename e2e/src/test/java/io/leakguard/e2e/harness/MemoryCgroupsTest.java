package io.leakguard.e2e.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness's cgroup code against fake cgroupfs trees: v2 as root, v2 in a delegated subtree, v2
 * through systemd user scopes, v1, and the machines where none works, which get a reason that says
 * what to do. The processes are real: the wrapped command joins the cgroup by writing its own pid.
 */
class MemoryCgroupsTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path fs;

    private Path v2Mount(String controllers) throws IOException {
        Path mount = Files.createDirectories(fs.resolve("cgroup"));
        Files.writeString(mount.resolve("cgroup.controllers"), controllers + "\n");
        Files.writeString(mount.resolve("cgroup.subtree_control"), "");
        Files.writeString(mount.resolve("cgroup.procs"), "");
        return mount;
    }

    private Path selfCgroup(String line) throws IOException {
        return Files.writeString(fs.resolve("self-cgroup"), line + "\n");
    }

    @Test
    void asRootOnCgroupV2EachPodGetsAChildWithMemoryMaxAndTheControllerHandedDown() throws Exception {
        Path mount = v2Mount("cpuset cpu io memory pids");
        MemoryCgroups cgroups = MemoryCgroups.detect(mount, selfCgroup("0::/init.scope"), true, false);
        assertThat(cgroups.unavailableReason()).isNull();
        assertThat(cgroups.describe()).isEqualTo("v2");

        MemoryCgroups.Cgroup pod = cgroups.create("leak", 64 * MIB);
        Path dir = ((MemoryCgroups.Directory) pod).dir();
        assertThat(dir.getParent()).isEqualTo(mount.resolve("leakguard-e2e-pods"));
        assertThat(Files.readString(dir.resolve("memory.max"))).isEqualTo(Long.toString(64 * MIB));
        assertThat(Files.readString(mount.resolve("cgroup.subtree_control"))).isEqualTo("+memory");
        assertThat(Files.readString(dir.getParent().resolve("cgroup.subtree_control"))).isEqualTo("+memory");
    }

    @Test
    void theWrappedProgramJoinsItsCgroupBeforeItRuns() throws Exception {
        Path mount = v2Mount("memory pids");
        MemoryCgroups.Cgroup pod = MemoryCgroups.detect(mount, selfCgroup("0::/"), true, false).create("joins", 32 * MIB);
        Path dir = ((MemoryCgroups.Directory) pod).dir();
        Path seen = fs.resolve("seen");
        Process p = new ProcessBuilder(pod.wrap(List.of("/bin/sh", "-c", "cat '" + dir.resolve("cgroup.procs") + "' > '"
                + seen + "'"))).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        // The shell wrote its pid, then exec'd the program with the same pid, which found itself listed.
        assertThat(Files.readString(seen).trim()).isEqualTo(Long.toString(p.pid()));
    }

    @Test
    void cgroupV2CountsOomKillsFromMemoryEventsAndUseFromMemoryCurrent() throws Exception {
        Path mount = v2Mount("memory");
        MemoryCgroups.Cgroup pod = MemoryCgroups.detect(mount, selfCgroup("0::/"), true, false).create("oom", 16 * MIB);
        Path dir = ((MemoryCgroups.Directory) pod).dir();
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 41\noom 2\noom_kill 1\noom_group_kill 0\n");
        Files.writeString(dir.resolve("memory.current"), "16773120\n");
        assertThat(pod.oomKills()).isEqualTo(1);
        assertThat(pod.memoryBytes()).isEqualTo(16773120);

        // The kernel's control files go with the directory; a fake tree's must be emptied by hand.
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        pod.remove();
        assertThat(dir).doesNotExist();
        assertThat(pod.oomKills()).as("unknown once gone").isEqualTo(-1);
        assertThat(pod.memoryBytes()).isEqualTo(-1);
    }

    @Test
    void aNormalUserInADelegatedSubtreeMovesItselfToALeafAndPutsThePodsBesideIt() throws Exception {
        Path mount = v2Mount("memory pids");
        Path own = Files.createDirectories(mount.resolve("user.slice/user-1000.slice/user@1000.service/app.slice/run.scope"));
        Files.writeString(own.resolve("cgroup.subtree_control"), "");
        Files.writeString(own.resolve("cgroup.procs"), "4242\n4243\n");
        MemoryCgroups cgroups = MemoryCgroups.detect(mount,
                selfCgroup("0::/user.slice/user-1000.slice/user@1000.service/app.slice/run.scope"), false, false);
        assertThat(cgroups.unavailableReason()).isNull();

        MemoryCgroups.Cgroup pod = cgroups.create("leak", 64 * MIB);
        Path dir = ((MemoryCgroups.Directory) pod).dir();
        assertThat(dir.getParent()).isEqualTo(own.resolve("leakguard-e2e-pods"));
        assertThat(Files.readString(own.resolve("leakguard-e2e-harness/cgroup.procs"))).isEqualTo("4242\n4243\n");
        assertThat(Files.readString(own.resolve("cgroup.subtree_control"))).isEqualTo("+memory");
        assertThat(Files.readString(mount.resolve("cgroup.subtree_control"))).as("above the delegation: not ours")
                .isEmpty();
    }

    @Test
    void aNormalUserWithASystemdUserManagerRunsEachPodInAScopeWithMemoryMax() throws Exception {
        Path mount = v2Mount("memory pids");
        MemoryCgroups cgroups = MemoryCgroups.detect(mount, selfCgroup("0::/user.slice/user-1000.slice/session-3.scope"),
                false, true);
        assertThat(cgroups.describe()).isEqualTo("v2 (systemd user scope)");

        List<String> argv = cgroups.create("leak", 64 * MIB).wrap(List.of("/bin/leaky", "-listen", ":0"));
        assertThat(argv).startsWith("systemd-run", "--user", "--scope", "--quiet");
        assertThat(argv).contains("MemoryMax=" + 64 * MIB, "MemorySwapMax=0");
        assertThat(argv.subList(argv.indexOf("--") + 1, argv.size())).containsExactly("/bin/leaky", "-listen", ":0");
    }

    @Test
    void aNormalUserWithNeitherDelegationNorSystemdIsToldWhatToDo() throws Exception {
        Path mount = v2Mount("memory pids");
        Files.createDirectories(mount.resolve("user.slice"));
        MemoryCgroups cgroups = MemoryCgroups.detect(mount, selfCgroup("0::/user.slice"), false, false);
        assertThat(cgroups.unavailableReason()).contains("Run as root").contains("systemd-run --user --scope -p Delegate=yes");
        assertThatThrownBy(() -> cgroups.create("leak", MIB)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot give the process a real memory limit");
    }

    @Test
    void cgroupV2WithoutTheMemoryControllerSaysSo() throws Exception {
        Path mount = v2Mount("cpu io pids");
        assertThat(MemoryCgroups.detect(mount, selfCgroup("0::/"), true, true).unavailableReason())
                .contains("memory controller is not available").contains("cpu io pids");
    }

    @Test
    void cgroupV1StaysAsItWas() throws Exception {
        Path memory = Files.createDirectories(fs.resolve("cgroup/memory"));
        MemoryCgroups cgroups = MemoryCgroups.detect(fs.resolve("cgroup"), selfCgroup("4:memory:/"), true, false);
        assertThat(cgroups.describe()).isEqualTo("v1");
        MemoryCgroups.Cgroup pod = cgroups.create("leak", 64 * MIB);
        Path dir = ((MemoryCgroups.Directory) pod).dir();
        assertThat(dir.getParent()).isEqualTo(memory);
        assertThat(Files.readString(dir.resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString(64 * MIB));
        Files.writeString(dir.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        Files.writeString(dir.resolve("memory.usage_in_bytes"), "1048576\n");
        assertThat(pod.oomKills()).isEqualTo(3);
        assertThat(pod.memoryBytes()).isEqualTo(MIB);
    }

    @Test
    void noCgroupFilesystemAtAllIsAReasonNotACrash() {
        assertThat(MemoryCgroups.detect(fs.resolve("absent"), fs.resolve("absent-self"), true, true).unavailableReason())
                .contains("no cgroup filesystem");
    }

    @Test
    void ownCgroupIsReadFromTheUnifiedLineOfProcSelfCgroup() throws Exception {
        Path mount = fs.resolve("cgroup");
        Path self = selfCgroup("12:memory:/user.slice\n0::/user.slice/user-1000.slice/app.slice/x.scope");
        assertThat(MemoryCgroups.ownCgroup(mount, self)).isEqualTo(mount.resolve("user.slice/user-1000.slice/app.slice/x.scope"));
        assertThat(MemoryCgroups.ownCgroup(mount, selfCgroup("0::/"))).isEqualTo(mount);
    }
}
