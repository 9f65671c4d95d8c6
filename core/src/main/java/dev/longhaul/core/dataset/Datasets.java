package dev.longhaul.core.dataset;

import dev.longhaul.core.kind.InvalidRequestException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The datasets declared in configuration, checked once at start-up. */
@ApplicationScoped
public class Datasets {
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]{0,62}(\\.[a-z_][a-z0-9_]{0,62})?");

    private final Map<String, Dataset> byName = new TreeMap<>();

    @Inject
    public Datasets(DatasetConfig config) {
        config.all().forEach((name, decl) -> byName.put(name, build(name, decl)));
    }

    public Optional<Dataset> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** The dataset, or a 400 naming {@code field}. */
    public Dataset require(String name, String field) {
        if (name == null || name.isBlank()) {
            throw new InvalidRequestException(field, "is required; datasets: " + names());
        }
        return find(name).orElseThrow(() -> new InvalidRequestException(field,
                "'" + name + "' is not a dataset; datasets: " + names()));
    }

    private static Dataset build(String name, DatasetConfig.Decl decl) {
        check(NAME, name, "dataset name");
        check(TABLE, decl.table(), "table of dataset " + name);
        check(NAME, decl.alias(), "alias of dataset " + name);
        List<Map.Entry<String, DatasetConfig.ColumnDecl>> entries = new ArrayList<>(decl.columns().entrySet());
        entries.sort(Comparator.comparing((Map.Entry<String, DatasetConfig.ColumnDecl> e) -> e.getValue().order())
                .thenComparing(Map.Entry::getKey));
        Map<String, Column> columns = new LinkedHashMap<>();
        for (var entry : entries) {
            String column = entry.getKey();
            check(NAME, column, "column of dataset " + name);
            var c = entry.getValue();
            String expr = c.expr().orElse(decl.alias() + "." + column);
            boolean own = expr.equals(decl.alias() + "." + column);
            if (c.settable() && !own) {
                throw new IllegalStateException("dataset " + name + ": column " + column
                        + " is settable but is not a plain column of " + decl.table());
            }
            String format = c.format().orElse(null);
            if (format != null && !format.equals("email")) {
                throw new IllegalStateException("dataset " + name + ": column " + column + " has format '" + format
                        + "'; known: email");
            }
            columns.put(column, new Column(column, expr, ColumnType.of(c.type()), c.filterable(), c.settable(), format));
        }
        List<Column> key = decl.key().stream().map(k -> {
            Column c = columns.get(k);
            if (c == null) throw new IllegalStateException("dataset " + name + ": key column " + k + " is not declared");
            return c;
        }).toList();
        List<String> unique = decl.unique().orElse(List.of());
        for (String u : unique) {
            if (!columns.containsKey(u)) throw new IllegalStateException("dataset " + name + ": unique column " + u + " is not declared");
        }
        String from = decl.table() + " " + decl.alias() + decl.joins().map(j -> " " + j.trim()).orElse("");
        return new Dataset(name, decl.table(), decl.alias(), from, key, Collections.unmodifiableMap(columns), unique);
    }

    private static void check(Pattern pattern, String value, String what) {
        if (!pattern.matcher(value).matches()) {
            throw new IllegalStateException("invalid " + what + ": '" + value + "'");
        }
    }
}
