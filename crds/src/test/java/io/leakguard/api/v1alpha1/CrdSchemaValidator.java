package io.leakguard.api.v1alpha1;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;

/**
 * Validates a LeakPolicy manifest the way the API server would, against the committed CRD:
 * schema defaults first, then the OpenAPI schema (with strict unknown-field checking, as
 * {@code kubectl apply} does by default), then every {@code x-kubernetes-validations} CEL rule.
 */
final class CrdSchemaValidator {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final JsonNode openApiSchema;
    private final JsonSchema jsonSchema;
    /**
     * The Kubernetes CEL quantity library, as far as the CRD's rules use it: {@code isQuantity(string)},
     * {@code quantity(string)} and {@code compareTo}. A quantity is modelled as its amount in bytes (an int);
     * the expressions type-check and compare as they do in the API server, where the end-to-end tier runs them.
     */
    private final CelCompiler cel = CelCompilerFactory.standardCelCompilerBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .addFunctionDeclarations(
                    CelFunctionDecl.newFunctionDeclaration("isQuantity",
                            CelOverloadDecl.newGlobalOverload("is_quantity_string", SimpleType.BOOL, SimpleType.STRING)),
                    CelFunctionDecl.newFunctionDeclaration("quantity",
                            CelOverloadDecl.newGlobalOverload("quantity_string", SimpleType.INT, SimpleType.STRING)),
                    CelFunctionDecl.newFunctionDeclaration("compareTo",
                            CelOverloadDecl.newMemberOverload("quantity_compareTo", SimpleType.INT, SimpleType.INT,
                                    SimpleType.INT)))
            .build();
    private final CelRuntime celRuntime = CelRuntimeFactory.standardCelRuntimeBuilder()
            .addFunctionBindings(
                    CelFunctionBinding.from("is_quantity_string", String.class, CrdSchemaValidator::isQuantity),
                    CelFunctionBinding.from("quantity_string", String.class, CrdSchemaValidator::bytes),
                    CelFunctionBinding.from("quantity_compareTo", Long.class, Long.class, (a, b) -> (long) Long.compare(a, b)))
            .build();

    private static boolean isQuantity(String text) {
        try {
            bytes(text);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static long bytes(String text) {
        return io.fabric8.kubernetes.api.model.Quantity.getAmountInBytes(new io.fabric8.kubernetes.api.model.Quantity(text))
                .longValueExact();
    }

    CrdSchemaValidator(Path crdFile) throws IOException {
        JsonNode crd = YAML.readTree(crdFile.toFile());
        this.openApiSchema = crd.at("/spec/versions/0/schema/openAPIV3Schema");
        if (openApiSchema.isMissingNode()) {
            throw new IllegalArgumentException(crdFile + " has no openAPIV3Schema");
        }
        JsonNode strict = openApiSchema.deepCopy();
        forbidUnknownFields(strict.path("properties").path("spec"));
        this.jsonSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(strict);
    }

    /** Returns the errors the API server would answer with; empty when the manifest is accepted. */
    List<String> validate(String manifestYaml) throws IOException {
        JsonNode manifest = YAML.readTree(manifestYaml);
        applyDefaults(openApiSchema, manifest);
        List<String> errors = new ArrayList<>();
        for (ValidationMessage message : jsonSchema.validate(manifest)) {
            errors.add(message.getMessage());
        }
        if (errors.isEmpty()) {
            evaluateRules(openApiSchema, manifest, "$", errors);
        }
        return errors;
    }

    private static void forbidUnknownFields(JsonNode schema) {
        if (!(schema instanceof ObjectNode node)) {
            return;
        }
        if (node.has("properties") && !node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)
                && !node.has("additionalProperties")) {
            node.put("additionalProperties", false);
        }
        node.path("properties").forEach(CrdSchemaValidator::forbidUnknownFields);
        forbidUnknownFields(node.path("items"));
        forbidUnknownFields(node.path("additionalProperties"));
    }

    /** Structural defaulting: a missing property with a default gets it, recursively, as the API server does. */
    private static void applyDefaults(JsonNode schema, JsonNode value) {
        if (value instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
            while (properties.hasNext()) {
                Map.Entry<String, JsonNode> property = properties.next();
                if (!object.has(property.getKey()) && property.getValue().has("default")) {
                    object.set(property.getKey(), property.getValue().get("default").deepCopy());
                }
                if (object.has(property.getKey())) {
                    applyDefaults(property.getValue(), object.get(property.getKey()));
                }
            }
        } else if (value instanceof ArrayNode array && schema.has("items")) {
            array.forEach(item -> applyDefaults(schema.get("items"), item));
        }
    }

    private void evaluateRules(JsonNode schema, JsonNode value, String path, List<String> errors) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return;
        }
        for (JsonNode rule : schema.path("x-kubernetes-validations")) {
            String expression = rule.get("rule").asText();
            boolean passed;
            try {
                var program = celRuntime.createProgram(cel.compile(expression).getAst());
                passed = Boolean.TRUE.equals(program.eval(Map.of("self", toCelValue(value))));
            } catch (Exception e) {
                throw new IllegalStateException("CEL rule at " + path + " cannot be evaluated: " + expression, e);
            }
            if (!passed) {
                String fieldPath = rule.path("fieldPath").asText("");
                errors.add(path + fieldPath + ": " + rule.path("message").asText("failed rule: " + expression));
            }
        }
        if (value.isObject()) {
            value.fields().forEachRemaining(field -> {
                JsonNode fieldSchema = schema.path("properties").path(field.getKey());
                if (fieldSchema.isMissingNode()) {
                    fieldSchema = schema.path("additionalProperties");
                }
                evaluateRules(fieldSchema, field.getValue(), path + "." + field.getKey(), errors);
            });
        } else if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                evaluateRules(schema.path("items"), value.get(i), path + "[" + i + "]", errors);
            }
        }
    }

    /** CEL wants int64 for every integer, and plain maps and lists. */
    private static Object toCelValue(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.fields().forEachRemaining(field -> map.put(field.getKey(), toCelValue(field.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(toCelValue(item)));
            return list;
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.asText();
    }
}
