package dev.longhaul.worker.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.chunk.ChunkConfig;
import dev.longhaul.core.chunk.ChunkLoop;
import dev.longhaul.core.chunk.ChunkSizer;
import dev.longhaul.core.chunk.Fence;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Clock;

/** Builds the chunk engine's pieces for one slice of one job, on the worker's own pool. */
@ApplicationScoped
public class Chunks {
    @Inject
    AgroalDataSource dataSource;
    @Inject
    ChunkConfig config;
    @Inject
    WorkerConfig worker;
    @Inject
    Clock clock;
    @Inject
    ObjectMapper mapper;

    public Fence fence(JobContext<?> context) {
        return new Fence(context.jobId(), context.leaseToken(), worker.lease(), clock);
    }

    public ChunkLoop loop(JobContext<?> context) {
        return new ChunkLoop(dataSource, config.sizer(), fence(context), clock, mapper);
    }

    /**
     * A loop with its own bounds, for reads whose cost per chunk is mostly fixed (the join's hash,
     * the sort's start; a report merges one partial row per group however many rows it read), so
     * bigger chunks pay off: it may grow the chunk fourfold at a time towards {@code target}.
     */
    public ChunkLoop loop(JobContext<?> context, java.time.Duration target, int maxRows) {
        return new ChunkLoop(dataSource, new ChunkSizer(config.minRows(), maxRows, target, 4),
                fence(context), clock, mapper);
    }

    public int initialRows() {
        return config.sizer().initial(config.initialRows());
    }

    /** A connection in manual-commit mode, for a job's own short transactions. */
    public Connection transaction() throws java.sql.SQLException {
        Connection connection = dataSource.getConnection();
        connection.setAutoCommit(false);
        return connection;
    }
}
