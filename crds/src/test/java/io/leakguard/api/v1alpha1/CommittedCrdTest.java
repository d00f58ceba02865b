package io.leakguard.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.fabric8.crdv2.generator.CRDGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRD YAML is generated from the Java classes and committed twice (crds/ and the Helm chart).
 * These tests fail when either copy is stale. Regenerate both with:
 * {@code ./mvnw -pl crds test -Dtest=CommittedCrdTest -Dleakguard.updateCrds=true}
 */
class CommittedCrdTest {

    private static final String HOW_TO_FIX = "The committed CRD is stale. Regenerate it with:"
            + " ./mvnw -pl crds test -Dtest=CommittedCrdTest -Dleakguard.updateCrds=true";

    @TempDir
    Path out;

    private String generate() throws IOException {
        new CRDGenerator()
                .customResourceClasses(LeakPolicy.class)
                .forCRDVersions("v1")
                .inOutputDir(out.toFile())
                .generate();
        String yaml = Files.readString(out.resolve(RepoPaths.CRD_FILE));
        if (Boolean.getBoolean("leakguard.updateCrds")) {
            Files.writeString(RepoPaths.committedCrd(), yaml);
            Files.createDirectories(RepoPaths.helmCrd().getParent());
            Files.writeString(RepoPaths.helmCrd(), yaml);
        }
        return yaml;
    }

    @Test
    void crdCommittedUnderCrdsMatchesTheApiClasses() throws IOException {
        String generated = generate();
        assertThat(RepoPaths.committedCrd()).as(HOW_TO_FIX).exists();
        assertThat(Files.readString(RepoPaths.committedCrd())).as(HOW_TO_FIX).isEqualTo(generated);
    }

    @Test
    void crdCopiedIntoTheHelmChartMatchesTheApiClasses() throws IOException {
        String generated = generate();
        assertThat(RepoPaths.helmCrd()).as(HOW_TO_FIX).exists();
        assertThat(Files.readString(RepoPaths.helmCrd())).as(HOW_TO_FIX).isEqualTo(generated);
    }
}
