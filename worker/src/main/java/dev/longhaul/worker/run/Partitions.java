package dev.longhaul.worker.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.longhaul.core.chunk.KeyRange;
import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.SqlBuilder;
import dev.longhaul.core.dispatch.JobPublisher;
import dev.longhaul.core.dispatch.JobRef;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobQueries;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Runs a partitioned job (one submitted with {@code partitions: N}) as its children's parent. Its
 * first slice splits the keys its walk matches into N ranges of about equal size, from the keys
 * themselves ({@code ntile} over the matching keys, in the database); it inserts one child job per
 * range and parks itself ({@code WAITING}) on them, all in one transaction, and publishes the
 * children. Each child is an ordinary job of the same kind, on any worker, with its own
 * checkpoints, retries and progress. Once every child has ended, the parent is released and its
 * next slice joins their work ({@link PartitionedHandler#join}), or fails naming the child that did
 * not succeed.
 */
@ApplicationScoped
public class Partitions {
    private static final Logger LOG = Logger.getLogger(Partitions.class);
    /** The field of a child's {@code partition} that holds its parent's {@link JobContext#asOf()}. */
    static final String AS_OF = "asOf";
    /**
     * The field of the checkpoint state a join commits with its effects: the parent's result. A
     * parent that finds it has joined already, and only records its success.
     */
    public static final String JOINED = "joined";

    @Inject
    JobQueries queries;
    @Inject
    JobStore store;
    @Inject
    Chunks chunks;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;
    @Inject
    Leases leases;
    @Inject
    JobPublisher publisher;

    /** The instant a job is for: its parent's, for a child of a partitioned job. */
    static Instant asOf(Job job) {
        JsonNode parentAsOf = job.partition() == null ? null : job.partition().get(AS_OF);
        if (parentAsOf != null) return Instant.parse(parentAsOf.asText());
        return job.scheduledFor() != null ? job.scheduledFor() : job.createdAt();
    }

    /** One slice of a partitioned job's parent: plan and park, or join. */
    <P extends Record> Outcome run(PartitionedHandler<P> handler, JobContext<P> context, Job job) throws Exception {
        // a join that committed before its slice could record the success
        JsonNode joined = context.checkpoint() == null ? null : context.checkpoint().path("state").get(JOINED);
        if (joined != null) return new Outcome.Done(joined);
        if (context.checkpoint() == null || !context.checkpoint().has("children")) return plan(handler, context, job);
        List<Job> children = new ArrayList<>(QuarkusTransaction.requiringNew().call(() -> store.children(job.id())));
        children.sort(Comparator.comparingInt(c -> KeyRange.from(c.partition()).index()));
        for (Job child : children) {
            if (child.state() != JobState.SUCCEEDED) {
                KeyRange range = KeyRange.from(child.partition());
                throw new Failure.Discard("partition " + (range.index() + 1) + " of " + range.of() + " (job " + child.id()
                        + ") ended " + child.state() + (child.error() == null ? "" : ": " + child.error()));
            }
        }
        return handler.join(context, children);
    }

    private <P extends Record> Outcome plan(PartitionedHandler<P> handler, JobContext<P> context, Job job) throws Exception {
        PartitionedHandler.Walk walk = handler.walk(context.params());
        List<KeyRange> ranges;
        try (Connection connection = chunks.transaction()) {
            ranges = KeyRange.between(uppers(connection, walk, job.partitions()));
            connection.rollback();
        } catch (IllegalArgumentException e) {
            throw new Failure.Discard(e.getMessage());
        }
        // a child's work is for the parent's instant (a report's period), whenever it was made
        List<Job> children = ranges.stream()
                .map(r -> Job.child(job, r.toJson(mapper).put(AS_OF, context.asOf().toString()), clock)).toList();
        List<JobQueries.Edge> edges = children.stream().map(c -> new JobQueries.Edge(job.id(), c.id(), false)).toList();
        ObjectNode checkpoint = mapper.createObjectNode().put("children", children.size());
        try (Connection connection = chunks.transaction()) {
            queries.insert(connection, children, edges);
            if (!queries.park(connection, job.id(), context.leaseToken(), checkpoint, leases.workerId(),
                    "waits for its " + children.size() + " partitions")) {
                connection.rollback();
                // a cancel request came first, or the lease is gone: the cancel path tells which
                return new Outcome.Cancelled();
            }
            connection.commit();
        }
        LOG.infof("job %s (%s) split into %d partitions", job.id(), job.kind(), children.size());
        publisher.publishLater(children.stream().map(c -> new JobRef(c.id(), c.queue(), c.traceParent())).toList());
        return new Outcome.Parked();
    }

    /**
     * The children's results added up, for kinds whose result is counts: numbers are summed,
     * arrays joined (up to {@link #JOINED_ARRAY_LIMIT} items), anything else taken from the first.
     */
    public static ObjectNode sumResults(ObjectMapper mapper, List<Job> children) {
        ObjectNode sum = mapper.createObjectNode();
        for (Job child : children) {
            if (child.result() == null) continue;
            child.result().properties().forEach(field -> {
                JsonNode value = field.getValue();
                JsonNode before = sum.get(field.getKey());
                if (value.isIntegralNumber()) {
                    sum.put(field.getKey(), (before == null ? 0 : before.asLong()) + value.asLong());
                } else if (value.isNumber()) {
                    sum.put(field.getKey(), (before == null ? 0 : before.asDouble()) + value.asDouble());
                } else if (value.isArray()) {
                    var items = before == null ? sum.putArray(field.getKey()) : (ArrayNode) before;
                    for (JsonNode item : value) if (items.size() < JOINED_ARRAY_LIMIT) items.add(item);
                } else if (before == null) {
                    sum.set(field.getKey(), value);
                }
            });
        }
        return sum;
    }

    /** The most items of a result's array a joined result keeps. */
    static final int JOINED_ARRAY_LIMIT = 20;

    /**
     * The last key of each of up to {@code n} ranges of about equal size, in key order, over the
     * keys the walk matches; fewer when fewer keys match, none when none do.
     */
    private static List<String> uppers(Connection connection, PartitionedHandler.Walk walk, int n) throws SQLException {
        Column key = KeyRange.singleKey(walk.dataset());
        SqlBuilder params = new SqlBuilder(SqlBuilder.Mode.JDBC);
        String where = walk.filter().render(params);
        String sql = "select cast(max(s.k) as text) from (select " + key.expr() + " as k, ntile(" + n + ") over (order by "
                + key.expr() + ") as t from " + walk.dataset().from() + " where " + where + ") s group by s.t order by s.t";
        List<String> uppers = new ArrayList<>(n);
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            params.bind(s, 1);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) uppers.add(rs.getString(1));
            }
        }
        return uppers;
    }
}
