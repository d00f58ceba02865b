package io.leakguard.operator;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The operator's packages depend one way, down the data path: the controller on the runtime, the runtime on
 * state, state on the pure core, specs and adapters. A package that imported one of those that import it
 * would fail here, with ArchUnit naming the classes.
 */
class PackageLayersTest {

    private static final JavaClasses OPERATOR = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.leakguard.operator");

    @Test
    void noPackageDependsOnAnotherThatDependsOnItBack() {
        slices().matching("io.leakguard.operator.(*)..").should().beFreeOfCycles().check(OPERATOR);
    }

    @Test
    void layersOnlyPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Cli").definedBy("..operator.cli..", "..operator.backtest..", "..operator.evaluation..")
                .layer("Controller").definedBy("..operator.controller..")
                .layer("Runtime").definedBy("..operator.sampling..", "..operator.remediation..", "..operator.notify..",
                        "..operator.diagnostics..")
                .layer("State").definedBy("..operator.state..", "..operator.tracking..")
                .layer("Foundation").definedBy("..operator.spec..", "..operator.exposition..", "..operator.series..",
                        "..operator.detection..", "..operator.prometheus..", "..operator.http..", "..operator.secrets..",
                        "..operator.fairness..", "..operator.text..", "..operator.config..")
                .whereLayer("Cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("Controller").mayNotBeAccessedByAnyLayer()
                .whereLayer("Runtime").mayOnlyBeAccessedByLayers("Controller", "Cli")
                .whereLayer("State").mayOnlyBeAccessedByLayers("Runtime", "Controller", "Cli")
                .check(OPERATOR);
    }
}
