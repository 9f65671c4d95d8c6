package dev.longhaul.core.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Turns many small requests into few statements: items offered from any thread are flushed by one
 * thread, in batches of whatever arrived while the previous flush ran (natural batching). Under no
 * load a batch holds one item and is flushed at once, so a single request waits for one statement;
 * under load the batches grow on their own, up to {@code maxBatch}, and the cost per item falls.
 *
 * <p>The flush function gets the batch in arrival order and returns one result per item, in the
 * same order. If it throws, every item of that batch fails with the exception; the items of other
 * batches are not affected. Thread-safe.
 *
 * @param <T> what is offered
 * @param <R> what each item's future completes with
 */
public final class Batcher<T, R> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Batcher.class);

    private record Pending<T, R>(T item, CompletableFuture<R> result) {
    }

    private final BlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
    private final Function<List<T>, List<R>> flush;
    private final int maxBatch;
    private final Thread thread;
    private volatile boolean closed;

    public Batcher(String name, int maxBatch, Function<List<T>, List<R>> flush) {
        this.flush = flush;
        this.maxBatch = maxBatch;
        this.thread = Thread.ofPlatform().daemon().name(name).start(this::loop);
    }

    /** Queues an item; the future completes once the batch holding it was flushed. */
    public CompletableFuture<R> offer(T item) {
        CompletableFuture<R> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new IllegalStateException("batcher closed"));
        } else {
            queue.add(new Pending<>(item, result));
        }
        return result;
    }

    private void loop() {
        List<Pending<T, R>> batch = new ArrayList<>(maxBatch);
        while (!closed || !queue.isEmpty()) {
            try {
                Pending<T, R> first = queue.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
            }
        }
        Pending<T, R> left;
        while ((left = queue.poll()) != null) left.result().completeExceptionally(new IllegalStateException("batcher closed"));
    }

    private void run(List<Pending<T, R>> batch) {
        List<R> results;
        try {
            results = flush.apply(batch.stream().map(Pending::item).toList());
            if (results.size() != batch.size()) {
                throw new IllegalStateException("flush returned " + results.size() + " results for " + batch.size() + " items");
            }
        } catch (RuntimeException | Error e) {
            LOG.debugf("%s: a batch of %d failed: %s", thread.getName(), batch.size(), e);
            batch.forEach(p -> p.result().completeExceptionally(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) batch.get(i).result().complete(results.get(i));
    }

    /** Flushes what is queued, then stops the thread. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
