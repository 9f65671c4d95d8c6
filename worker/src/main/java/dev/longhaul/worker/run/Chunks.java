package dev.longhaul.worker.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.chunk.ChunkConfig;
import dev.longhaul.core.chunk.ChunkLoop;
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
     * A loop with its own bounds, for work whose cost per chunk is mostly fixed (a report merges
     * one partial row per group, however many rows the chunk read), so bigger chunks pay off.
     */
    public ChunkLoop loop(JobContext<?> context, java.time.Duration target, int maxRows) {
        return new ChunkLoop(dataSource, new dev.longhaul.core.chunk.ChunkSizer(config.minRows(), maxRows, target),
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
