package dev.longhaul.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code set} of a bulk update: settable columns of a dataset with typed values. Only these
 * columns are written, each to a bound value, so an update never rewrites a whole row from what
 * it read and cannot undo a concurrent change to another column.
 */
public record Assignments(List<Assignment> assignments) {
    public record Assignment(Column column, Object value) {
    }

    /** Parses {@code {"column": value, …}}; errors are named under {@code field}. */
    public static Assignments parse(Dataset dataset, JsonNode json, String field) {
        if (json == null || json.isNull() || json.isMissingNode()) {
            throw new InvalidRequestException(field, "is required: an object {column: value} of the columns to set");
        }
        if (!json.isObject() || json.isEmpty()) {
            throw new InvalidRequestException(field, "must be a non-empty object {column: value}; settable columns: "
                    + settable(dataset));
        }
        List<FieldError> errors = new ArrayList<>();
        List<Assignment> assignments = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : json.properties()) {
            String at = field + "." + entry.getKey();
            Column column = dataset.column(entry.getKey()).orElse(null);
            if (column == null || !column.settable()) {
                errors.add(new FieldError(at, (column == null ? "is not a column of dataset " + dataset.name()
                        : "cannot be set") + "; settable columns: " + settable(dataset)));
                continue;
            }
            if (entry.getValue().isNull()) {
                errors.add(new FieldError(at, "null is not accepted: give " + column.type().expected()));
                continue;
            }
            try {
                assignments.add(new Assignment(column, column.type().parse(entry.getValue())));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(at, e.getMessage()));
            }
        }
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return new Assignments(List.copyOf(assignments));
    }

    /** {@code status = cast(? as text), …}, for an UPDATE's SET. */
    public String renderSet(SqlBuilder sql) {
        return assignments.stream().map(a -> a.column().name() + " = " + sql.param(a.column().type(), a.value()))
                .collect(Collectors.joining(", "));
    }

    /**
     * {@code (alias.status is distinct from cast(? as text) or …)}: the rows the update would
     * change, so rows that already hold the values are neither rewritten nor counted as updated.
     */
    public String renderChanges(String alias, SqlBuilder sql) {
        return assignments.stream()
                .map(a -> alias + "." + a.column().name() + " is distinct from " + sql.param(a.column().type(), a.value()))
                .collect(Collectors.joining(" or ", "(", ")"));
    }

    private static List<String> settable(Dataset dataset) {
        return dataset.columns().values().stream().filter(Column::settable).map(Column::name).toList();
    }
}
