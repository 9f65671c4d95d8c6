package dev.longhaul.worker.run;

import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** How the batched statements of a worker meet errors. */
final class Retries {
    /** Deadlock and serialization failure: the statement did nothing, and may simply run again. */
    private static final Set<String> TRANSIENT = Set.of("40P01", "40001");
    private static final int ATTEMPTS = 3;

    interface Statement<T> {
        T run() throws SQLException;
    }

    private Retries() {
    }

    /** Runs the statement, again after a deadlock or serialization failure, up to three times. */
    static <T> T onConflict(Statement<T> statement) {
        for (int attempt = 1; ; attempt++) {
            try {
                return statement.run();
            } catch (SQLException e) {
                if (attempt >= ATTEMPTS || !TRANSIENT.contains(e.getSQLState())) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
        }
    }

    /** Waits for a batched result; a failure of its batch is rethrown unchecked. */
    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
