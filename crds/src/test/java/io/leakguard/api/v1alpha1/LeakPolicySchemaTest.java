package io.leakguard.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed CRD is what users' API servers enforce. Each wrong manifest in
 * {@code src/test/resources/policies/invalid} must be rejected with a message naming the field
 * given on its first line ({@code # rejected: <text>}); the examples must be accepted.
 */
class LeakPolicySchemaTest {

    private static final Path INVALID = Path.of("src/test/resources/policies/invalid");
    private static CrdSchemaValidator validator;

    @BeforeAll
    static void loadCommittedCrd() throws IOException {
        validator = new CrdSchemaValidator(RepoPaths.committedCrd());
    }

    static Stream<Path> invalidPolicies() throws IOException {
        try (Stream<Path> files = Files.list(INVALID)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(RepoPaths.root().resolve("examples"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @Test
    void corpusHoldsAtLeastFifteenWrongPolicies() throws IOException {
        assertThat(invalidPolicies().count()).isGreaterThanOrEqualTo(15);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidPolicies")
    void wrongPolicyIsRejectedWithAMessageNamingTheField(Path file) throws IOException {
        String manifest = Files.readString(file);
        String firstLine = manifest.lines().findFirst().orElse("");
        assertThat(firstLine).as("first line of %s must be '# rejected: <field>'", file).startsWith("# rejected: ");
        String expectedField = firstLine.substring("# rejected: ".length()).trim();

        List<String> errors = validator.validate(manifest);

        assertThat(errors).as("%s must be rejected", file.getFileName()).isNotEmpty();
        assertThat(errors).as("errors for %s must name %s", file.getFileName(), expectedField)
                .anySatisfy(error -> assertThat(error).contains(expectedField));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void exampleIsAccepted(Path file) throws IOException {
        assertThat(validator.validate(Files.readString(file))).as("errors for %s", file.getFileName()).isEmpty();
    }

    @Test
    void policyWithOnlySelectorAndRuntimeIsAccepted() throws IOException {
        String minimal = """
                apiVersion: leakguard.io/v1alpha1
                kind: LeakPolicy
                metadata: {name: checkout, namespace: shop}
                spec:
                  selector: {matchLabels: {app: checkout}}
                  runtime: Go
                """;
        assertThat(validator.validate(minimal)).isEmpty();
    }

    @Test
    void compoundDurationsAreAcceptedAndComparedByValue() throws IOException {
        String policy = """
                apiVersion: leakguard.io/v1alpha1
                kind: LeakPolicy
                metadata: {name: checkout, namespace: shop}
                spec:
                  selector: {matchExpressions: [{key: app, operator: In, values: [checkout]}]}
                  runtime: Go
                  metrics: {interval: 1m30s, timeout: 1m}
                  detection: {window: 2h30m, horizon: 45m, warmup: 1h15m}
                """;
        assertThat(validator.validate(policy)).isEmpty();
        assertThat(validator.validate(policy.replace("timeout: 1m}", "timeout: 1m31s}")))
                .anySatisfy(error -> assertThat(error).contains("spec.metrics.timeout"));
    }
}
