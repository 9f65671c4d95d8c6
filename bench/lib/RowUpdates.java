import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The application's own traffic during a bulk change: THREADS connections each update one random
 * order (its note) on a fixed schedule, one every 10 ms, in autocommit, until STOP_FILE exists;
 * then prints the count and the p50, p99 and max latency in ms. Latency is counted from when an
 * update was due, not from when a blocked connection got round to sending it, so a stall counts
 * for every update it delayed. Usage: RowUpdates JDBC_URL USER MAX_ID STOP_FILE
 */
public class RowUpdates {
    static final int THREADS = 4;

    public static void main(String[] args) throws Exception {
        String url = args[0], user = args[1];
        long maxId = Long.parseLong(args[2]);
        Path stop = Path.of(args[3]);
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (Connection c = DriverManager.getConnection(url, user, "");
                        PreparedStatement s = c.prepareStatement("update shop.orders set note = ? where id = ?")) {
                    long due = System.nanoTime();
                    while (!Files.exists(stop)) {
                        long wait = due - System.nanoTime();
                        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        s.setString(1, "touched " + due);
                        s.setLong(2, ThreadLocalRandom.current().nextLong(1, maxId + 1));
                        s.executeUpdate();
                        latencies.add((System.nanoTime() - due) / 1e6);
                        due += 10_000_000;
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread thread : threads) thread.join();
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.printf("%d %.1f %.1f %.1f%n", sorted.size(), at(sorted, 0.50), at(sorted, 0.99), sorted.getLast());
    }

    private static double at(List<Double> sorted, double q) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(q * sorted.size())));
    }
}
