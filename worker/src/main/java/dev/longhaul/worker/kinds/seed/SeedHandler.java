package dev.longhaul.worker.kinds.seed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.chunk.Fence;
import dev.longhaul.core.kind.KindSpec;
import dev.longhaul.core.kind.builtin.SeedKind;
import dev.longhaul.worker.run.Chunks;
import dev.longhaul.worker.run.JobContext;
import dev.longhaul.worker.run.JobHandler;
import dev.longhaul.worker.run.Outcome;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.postgresql.PGConnection;

/**
 * {@code seed}: customers, then orders, each chunk one {@code COPY … FROM STDIN} of generated rows
 * committed with its checkpoint (the phase and the next row number).
 */
@Singleton
public class SeedHandler implements JobHandler<SeedKind.Params> {
    static final int CHUNK_ROWS = 50_000;

    @Inject
    SeedKind spec;
    @Inject
    Chunks chunks;
    @Inject
    ObjectMapper mapper;

    @Override
    public KindSpec<SeedKind.Params> spec() {
        return spec;
    }

    @Override
    public Outcome run(JobContext<SeedKind.Params> context) throws Exception {
        SeedKind.Params params = context.params();
        Fence fence = chunks.fence(context);
        ObjectNode state = context.checkpoint() == null ? null : context.checkpoint().deepCopy();
        long total = params.customersOrDefault() + params.ordersOrDefault();
        if (state == null) {
            state = start(context, params, fence, total);
            if (state == null) return new Outcome.Continue(null);
        }
        Instant anchor = Instant.parse(state.get("anchor").asText());
        while (true) {
            long doneCustomers = state.get("customersDone").asLong();
            long doneOrders = state.get("ordersDone").asLong();
            if (doneCustomers >= params.customersOrDefault() && doneOrders >= params.ordersOrDefault()) {
                analyze();
                return new Outcome.Done(mapper.createObjectNode()
                        .put("customers", doneCustomers).put("orders", doneOrders));
            }
            if (context.cancelRequested()) return new Outcome.Cancelled();
            if (context.sliceOver()) return new Outcome.Continue(state);

            boolean customers = doneCustomers < params.customersOrDefault();
            long remaining = customers ? params.customersOrDefault() - doneCustomers : params.ordersOrDefault() - doneOrders;
            int n = (int) Math.min(CHUNK_ROWS, remaining);
            StringBuilder csv = new StringBuilder(n * 110);
            ObjectNode next = state.deepCopy();
            if (customers) {
                long first = state.get("customerBase").asLong() + doneCustomers + 1;
                for (long id = first; id < first + n; id++) ShopData.customer(id, anchor, csv);
                next.put("customersDone", doneCustomers + n);
            } else {
                long first = state.get("orderBase").asLong() + doneOrders + 1;
                long customerCount = state.get("customerBase").asLong() + params.customersOrDefault();
                for (long id = first; id < first + n; id++) ShopData.order(id, customerCount, anchor, csv);
                next.put("ordersDone", doneOrders + n);
            }
            try (Connection connection = chunks.transaction()) {
                String table = customers ? "shop.customers (id, email, name, country, created_at, status)"
                        : "shop.orders (id, customer_id, created_at, status, total_cents, currency, note)";
                connection.unwrap(PGConnection.class).getCopyAPI()
                        .copyIn("copy " + table + " from stdin with (format csv)", new StringReader(csv.toString()));
                long done = next.get("customersDone").asLong() + next.get("ordersDone").asLong();
                if (!fence.checkpoint(connection, mapper.writeValueAsString(next), done, total, "rows", null)) {
                    connection.rollback();
                    return new Outcome.Continue(state);
                }
                connection.commit();
            }
            state = next;
        }
    }

    /**
     * Fresh statistics and visibility maps, so the planner knows the new rows and keyset bounds are
     * index-only scans when exports and reports start. VACUUM cannot run in a transaction block.
     */
    private void analyze() throws SQLException {
        try (Connection connection = chunks.transaction(); Statement s = connection.createStatement()) {
            connection.setAutoCommit(true);
            s.execute("vacuum (analyze) shop.customers");
            s.execute("vacuum (analyze) shop.orders");
        }
    }

    private ObjectNode start(JobContext<SeedKind.Params> context, SeedKind.Params params, Fence fence, long total)
            throws Exception {
        try (Connection connection = chunks.transaction()) {
            if (params.resetting()) {
                try (Statement s = connection.createStatement()) {
                    s.execute("truncate shop.orders, shop.customers");
                }
            }
            ObjectNode state = mapper.createObjectNode();
            state.put("anchor", context.clock().instant().truncatedTo(ChronoUnit.DAYS).toString());
            state.put("customerBase", maxId(connection, "shop.customers"));
            state.put("orderBase", maxId(connection, "shop.orders"));
            state.put("customersDone", 0L);
            state.put("ordersDone", 0L);
            if (!fence.checkpoint(connection, mapper.writeValueAsString(state), 0, total, "rows", null)) {
                connection.rollback();
                return null;
            }
            connection.commit();
            return state;
        }
    }

    private static long maxId(Connection connection, String table) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("select coalesce(max(id), 0) from " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
