package dev.longhaul.worker.run;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Work handed to a platform thread of its own, for blocking I/O that a virtual thread would do
 * worse (a COPY's millions of small socket reads) or that must overlap with the caller's.
 */
public final class PlatformThreads {
    private PlatformThreads() {
    }

    /** Starts {@code work} on a new daemon platform thread named {@code name}. */
    public static <T> FutureTask<T> start(String name, Callable<T> work) {
        FutureTask<T> task = new FutureTask<>(work);
        Thread.ofPlatform().daemon().name(name).start(task);
        return task;
    }

    /** Waits for {@code task}; its failure is thrown as it was thrown, not wrapped. */
    public static <T> T join(FutureTask<T> task) throws Exception {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) throw cause;
            throw e;
        }
    }
}
