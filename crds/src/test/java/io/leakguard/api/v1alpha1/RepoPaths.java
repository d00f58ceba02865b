package io.leakguard.api.v1alpha1;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates files of the repository from a test, whichever directory Maven runs it in. */
final class RepoPaths {

    static final String CRD_FILE = "leakpolicies.leakguard.io-v1.yml";

    private RepoPaths() {
    }

    static Path root() {
        String configured = System.getProperty("leakguard.repo.root");
        if (configured != null && Files.exists(Path.of(configured, "crds", "pom.xml"))) {
            return Path.of(configured);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("crds").resolve("pom.xml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static Path committedCrd() {
        return root().resolve("crds").resolve(CRD_FILE);
    }

    static Path helmCrd() {
        return root().resolve("helm").resolve("leakguard").resolve("crds").resolve(CRD_FILE);
    }
}
