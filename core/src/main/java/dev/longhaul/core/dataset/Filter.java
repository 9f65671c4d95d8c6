package dev.longhaul.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A whitelisted filter: all of a list of {@code {"field", "op", "value"}} conditions. Fields must
 * be filterable columns of the dataset, values must parse as the column's type, and every value is
 * bound as a parameter.
 */
public record Filter(List<Condition> conditions) {
    public static final Filter NONE = new Filter(List.of());

    public enum Op {
        EQ("=", 1), NE("!=", 1), LT("<", 1), LE("<=", 1), GT(">", 1), GE(">=", 1),
        IN("in", -1), BETWEEN("between", 2), IS_NULL("isNull", 0);

        final String token;
        final int arity;

        Op(String token, int arity) {
            this.token = token;
            this.arity = arity;
        }

        static Op of(String token) {
            for (Op op : values()) {
                if (op.token.equals(token)) return op;
            }
            return null;
        }

        static String known() {
            return Arrays.stream(values()).map(o -> o.token).collect(Collectors.joining(" "));
        }
    }

    /** {@code values} are typed; for {@code isNull}, a single Boolean (true: IS NULL). */
    public record Condition(Column column, Op op, List<Object> values) {
    }

    /** The most values one filter may hold in all its conditions, well under the 65,535 bind parameters of a statement. */
    public static final int MAX_VALUES = 10_000;

    /** Parses {@code json} (an array, or null for no filter); errors are named under {@code field}. */
    public static Filter parse(Dataset dataset, JsonNode json, String field) {
        if (json == null || json.isNull() || json.isMissingNode()) return NONE;
        if (!json.isArray()) throw new InvalidRequestException(field, "must be an array of {field, op, value}");
        List<FieldError> errors = new ArrayList<>();
        List<Condition> conditions = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            String at = field + "[" + i + "]";
            try {
                conditions.add(condition(dataset, json.get(i), at));
            } catch (InvalidRequestException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        // every value is one bind parameter, and a statement may have 65,535 in all
        int total = conditions.stream().mapToInt(c -> c.values().size()).sum();
        if (total > MAX_VALUES) {
            throw new InvalidRequestException(field, "holds " + total + " values in all; at most " + MAX_VALUES);
        }
        return new Filter(List.copyOf(conditions));
    }

    private static Condition condition(Dataset dataset, JsonNode node, String at) {
        if (node == null || !node.isObject()) throw new InvalidRequestException(at, "must be an object {field, op, value}");
        var unknown = new ArrayList<String>();
        node.fieldNames().forEachRemaining(n -> { if (!List.of("field", "op", "value").contains(n)) unknown.add(n); });
        if (!unknown.isEmpty()) throw new InvalidRequestException(at + "." + unknown.getFirst(), "is not a known field");
        String name = node.path("field").asText(null);
        Column column = dataset.column(name).orElseThrow(() -> new InvalidRequestException(at + ".field",
                name == null ? "is required" : "'" + name + "' is not a column of dataset " + dataset.name()
                        + "; columns: " + dataset.columns().keySet()));
        if (!column.filterable()) throw new InvalidRequestException(at + ".field", "'" + name + "' cannot be filtered on");
        String token = node.path("op").asText(null);
        Op op = Op.of(token);
        if (op == null) {
            throw new InvalidRequestException(at + ".op", (token == null ? "is required" : "'" + token + "' is not an operator")
                    + "; operators: " + Op.known());
        }
        JsonNode value = node.get("value");
        String valueField = at + ".value";
        List<Object> values = new ArrayList<>();
        try {
            switch (op.arity) {
                case 0 -> {
                    if (value == null || value.isNull()) values.add(true);
                    else if (value.isBoolean()) values.add(value.booleanValue());
                    else throw new IllegalArgumentException("must be true or false (true: the field is null; false: it is not)");
                }
                case 1 -> values.add(column.type().parse(value));
                case 2 -> {
                    if (value == null || !value.isArray() || value.size() != 2) {
                        throw new IllegalArgumentException("must be an array of two values [low, high]");
                    }
                    values.add(column.type().parse(value.get(0)));
                    values.add(column.type().parse(value.get(1)));
                }
                default -> {
                    if (value == null || !value.isArray() || value.isEmpty() || value.size() > 1000) {
                        throw new IllegalArgumentException("must be an array of 1 to 1000 values");
                    }
                    for (JsonNode v : value) values.add(column.type().parse(v));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(valueField, e.getMessage());
        }
        return new Condition(column, op, List.copyOf(values));
    }

    /**
     * The conditions that bound the dataset's key index (comparisons, {@code between} and
     * {@code in}): those on the key's first column, and on each next column while every column
     * before it is held to one value by {@code =}. A keyset walk adds them to its search for each
     * chunk's upper key, so that it visits only the key range the filter can match. Conditions on
     * a later key column alone would only filter the index, not bound it, and could make that
     * search read far past the keys it needs.
     */
    public Filter onKey(Dataset dataset) {
        List<Condition> bounding = new ArrayList<>();
        for (Column key : dataset.key()) {
            List<Condition> on = conditions.stream()
                    .filter(c -> c.column().equals(key) && c.op() != Op.NE && c.op() != Op.IS_NULL)
                    .toList();
            bounding.addAll(on);
            if (on.stream().noneMatch(c -> c.op() == Op.EQ)) break;
        }
        return new Filter(List.copyOf(bounding));
    }

    /** Whether every condition is on a plain column of the dataset's own table: then no join is needed. */
    public boolean ownColumnsOnly(Dataset dataset) {
        return conditions.stream().allMatch(c -> dataset.own(c.column()));
    }

    /** The conditions as SQL, joined with {@code and}; {@code true} when there are none. */
    public String render(SqlBuilder sql) {
        if (conditions.isEmpty()) return "true";
        return conditions.stream().map(c -> render(c, sql)).collect(Collectors.joining(" and ", "(", ")"));
    }

    private static String render(Condition c, SqlBuilder sql) {
        String expr = c.column().expr();
        ColumnType type = c.column().type();
        return switch (c.op()) {
            case IS_NULL -> expr + (Boolean.TRUE.equals(c.values().getFirst()) ? " is null" : " is not null");
            case BETWEEN -> expr + " between " + sql.param(type, c.values().get(0)) + " and " + sql.param(type, c.values().get(1));
            case IN -> expr + " in (" + c.values().stream().map(v -> sql.param(type, v)).collect(Collectors.joining(", ")) + ")";
            case NE -> expr + " <> " + sql.param(type, c.values().getFirst());
            default -> expr + " " + c.op().token + " " + sql.param(type, c.values().getFirst());
        };
    }
}
