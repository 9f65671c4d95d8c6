package dev.longhaul.core.kind;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.validation.Validator;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The registry of job kinds, and the parser that turns a kind's JSON params into its record. */
@ApplicationScoped
public class Kinds {
    private final Map<String, KindSpec<?>> byName = new TreeMap<>();
    private final ObjectMapper strict;
    private final Validator validator;

    @Inject
    public Kinds(Instance<KindSpec<?>> specs, ObjectMapper mapper, Validator validator) {
        for (KindSpec<?> spec : specs) {
            KindSpec<?> previous = byName.put(spec.name(), spec);
            if (previous != null) {
                throw new IllegalStateException("two job kinds are named '" + spec.name() + "'");
            }
        }
        this.strict = mapper.copy()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        this.validator = validator;
    }

    public Optional<KindSpec<?>> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /**
     * Parses and validates {@code params} for {@code spec}. Errors name the field under
     * {@code params}, e.g. {@code params.seconds}.
     */
    public <P extends Record> P parse(KindSpec<P> spec, JsonNode params) {
        JsonNode tree = params == null || params.isNull() ? JsonNodeFactory.instance.objectNode() : params;
        if (!tree.isObject()) {
            throw new InvalidRequestException("params", "must be a JSON object");
        }
        P value;
        try {
            value = strict.treeToValue(tree, spec.paramsType());
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(List.of(describe(e).prefixed("params")));
        }
        List<FieldError> violations = validator.validate(value).stream()
                .map(v -> new FieldError(v.getPropertyPath().toString(), v.getMessage()).prefixed("params"))
                .sorted(Comparator.comparing(FieldError::field))
                .toList();
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        try {
            spec.check(value);
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(e.errors().stream().map(err -> err.prefixed("params")).toList());
        }
        return value;
    }

    /** Turns Jackson's complaint into a field name and a message without class names. */
    public static FieldError describe(JsonProcessingException e) {
        String field = "";
        if (e instanceof MismatchedInputException mismatch) {
            field = mismatch.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
        }
        String message;
        if (e instanceof UnrecognizedPropertyException) {
            message = "is not a known field";
        } else if (e instanceof InvalidFormatException format) {
            message = "cannot be read from " + format.getValue() + ": expected " + simpleType(format.getTargetType());
        } else if (e instanceof MismatchedInputException mismatch) {
            String original = mismatch.getOriginalMessage();
            message = original != null && original.startsWith("Missing")
                    ? "is required"
                    : "has the wrong type: expected " + simpleType(mismatch.getTargetType());
        } else {
            message = "is not valid JSON: " + e.getOriginalMessage();
        }
        return new FieldError(field, message);
    }

    private static String simpleType(Class<?> type) {
        if (type == null) return "another type";
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) return "a number";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == String.class || type.isEnum()) return "a string";
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) return "an array";
        if (type.getName().startsWith("java.time")) return "an ISO-8601 timestamp";
        return "an object";
    }

}
