package dev.longhaul.core.kind;

/**
 * One thing wrong with a request, named by its JSON path, e.g. {@code params.seconds} or
 * {@code jobs[3].kind}.
 */
public record FieldError(String field, String message) {
    public FieldError prefixed(String prefix) {
        return new FieldError(field.isEmpty() ? prefix : prefix + "." + field, message);
    }
}
