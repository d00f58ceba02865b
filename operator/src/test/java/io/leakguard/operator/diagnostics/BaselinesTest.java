package io.leakguard.operator.diagnostics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BaselinesTest {

    /** A dump of {@code groups} unique stacks, each of 20 long frames: what a hostile pod serves. */
    private static Map<StackGroups.Signature, Integer> uniqueStacks(String prefix, int groups) {
        Map<StackGroups.Signature, Integer> counts = new HashMap<>();
        for (int g = 0; g < groups; g++) {
            List<Frame> frames = new java.util.ArrayList<>();
            for (int f = 0; f < 20; f++) {
                frames.add(new Frame(prefix + ".fn" + g + "x" + f + "_".repeat(40), "/src/" + prefix + ".go:" + f));
            }
            counts.put(new StackGroups.Signature("chan send", prefix + ".spawn", "", frames), g == 0 ? 5000 : 1);
        }
        return counts;
    }

    @Test
    void aBaselineOfUniqueStacksKeepsItsBiggestGroupsWithinItsBudget() {
        Baselines baselines = new Baselines(64 * 1024, 1 << 20, 4 << 20);
        Map<StackGroups.Signature, Integer> dump = uniqueStacks("hostile", 5000);

        int dropped = baselines.put("hostile", "pod-1/0", dump);

        assertThat(baselines.bytes()).isLessThanOrEqualTo(64 * 1024);
        assertThat(dropped).isGreaterThan(4900);
        assertThat(baselines.get("pod-1/0")).as("the leaking group is the one kept").containsValue(5000);
    }

    @Test
    void oneNamespaceFillingItsBudgetEvictsOnlyItsOwnOldestBaselines() {
        Baselines baselines = new Baselines(64 * 1024, 256 * 1024, 4 << 20);
        baselines.put("quiet", "quiet-pod/0", uniqueStacks("quiet", 10));
        for (int pod = 0; pod < 100; pod++) {
            baselines.put("hostile", "hostile-" + pod + "/0", uniqueStacks("hostile" + pod, 5000));
        }

        assertThat(baselines.bytes("hostile")).isLessThanOrEqualTo(256 * 1024);
        assertThat(baselines.contains("quiet-pod/0")).isTrue();
        assertThat(baselines.contains("hostile-99/0")).as("the newest is kept").isTrue();
        assertThat(baselines.contains("hostile-0/0")).isFalse();
    }

    @Test
    void allBaselinesTogetherStayWithinTheTotal() {
        Baselines baselines = new Baselines(64 * 1024, 256 * 1024, 512 * 1024);
        for (int ns = 0; ns < 50; ns++) {
            baselines.put("team-" + ns, "pod-" + ns + "/0", uniqueStacks("t" + ns, 5000));
        }
        assertThat(baselines.bytes()).isLessThanOrEqualTo(512 * 1024);
        assertThat(baselines.contains("pod-49/0")).isTrue();
    }

    @Test
    void goneLivesFreeTheirBytes() {
        Baselines baselines = new Baselines(64 * 1024, 256 * 1024, 512 * 1024);
        baselines.put("a", "pod/0", uniqueStacks("a", 10));
        baselines.retainLives(java.util.Set.of());
        assertThat(baselines.bytes()).isZero();
        assertThat(baselines.bytes("a")).isZero();
    }
}
