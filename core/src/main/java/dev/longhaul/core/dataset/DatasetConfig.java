package dev.longhaul.core.dataset;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Datasets declared in configuration, e.g.
 * <pre>
 * longhaul.datasets.orders.table=shop.orders
 * longhaul.datasets.orders.alias=o
 * longhaul.datasets.orders.key=id
 * longhaul.datasets.orders.joins=join shop.customers c on c.id = o.customer_id
 * longhaul.datasets.orders.columns.id.type=bigint
 * longhaul.datasets.orders.columns.customer_email.type=text
 * longhaul.datasets.orders.columns.customer_email.expr=c.email
 * </pre>
 * See {@code docs/datasets.md}.
 */
@ConfigMapping(prefix = "longhaul.datasets")
public interface DatasetConfig {
    @WithParentName
    Map<String, Decl> all();

    interface Decl {
        /** {@code schema.table}. */
        String table();

        /** The table's alias in expressions and joins. */
        @WithDefault("t")
        String alias();

        /** The key columns, which must be declared columns and together unique. */
        List<String> key();

        /** SQL joins appended after {@code table alias}; trusted operator configuration. */
        Optional<String> joins();

        /** More unique columns, usable as upsert targets. */
        Optional<List<String>> unique();

        Map<String, ColumnDecl> columns();
    }

    interface ColumnDecl {
        /** bigint, integer, numeric, text, boolean, timestamptz, date or uuid. */
        String type();

        /** The SQL expression; defaults to {@code alias.name}. */
        Optional<String> expr();

        @WithDefault("true")
        boolean filterable();

        @WithDefault("false")
        boolean settable();

        /** A rule imported values must follow: {@code email}. */
        Optional<String> format();

        /** The position in the default column list (lower first). */
        @WithDefault("100")
        int order();
    }
}
