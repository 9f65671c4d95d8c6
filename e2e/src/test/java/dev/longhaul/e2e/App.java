package dev.longhaul.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One of the packaged apps ({@code <module>/target/quarkus-app/quarkus-run.jar}) running as a real
 * process, configured the way an operator would: with Quarkus environment variables.
 */
final class App implements AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("longhaul.root", "..")).toAbsolutePath().normalize();
    /**
     * The database, and the RabbitMQ vhost of the same name; {@code -Dlonghaul.e2e.database} names
     * another, e.g. for a branch whose migrations differ from the shared test database's.
     */
    static final String DATABASE = System.getProperty("longhaul.e2e.database", "longhaul_test_e2e");

    final String name;
    final int port;
    /** The management interface: health and metrics. */
    final int managementPort;
    /** Where the process writes its console. */
    final Path log;
    private final Process process;

    private App(String name, int port, int managementPort, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.process = process;
    }

    /** The api's bootstrap admin key in the e2e runs; every API request carries it. */
    static final String ADMIN_KEY = "e2e-admin-key-0123456789abcdefghijklmnop";

    static App start(String module, Map<String, String> extraEnv) throws IOException {
        return start(module, extraEnv, "256m");
    }

    static App start(String module, Map<String, String> extraEnv, String maxHeap) throws IOException {
        Path jar = ROOT.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build with `bin/mvn verify` from the top level");
        }
        int port = freePort();
        Path log = ROOT.resolve("e2e/target/logs/" + module + "-" + port + ".log");
        Files.createDirectories(log.getParent());
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx" + maxHeap,
                "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/" + DATABASE);
        env.put("RABBITMQ_VIRTUAL_HOST", DATABASE);
        // the management interface (health, metrics, OpenAPI) on a port of its own, and the api's admin key
        int managementPort = freePort();
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("LONGHAUL_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
        // the local services use the development passwords, which production apps refuse otherwise
        env.put("LONGHAUL_ALLOW_DEFAULT_CREDENTIALS", "true");
        env.putAll(extraEnv);
        App app = new App(module, port, managementPort, log, builder.start());
        app.awaitReady();
        return app;
    }

    static App start(String module) throws IOException {
        return start(module, new HashMap<>());
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** A URL on this app's management interface: {@code /q/health/*}, {@code /q/metrics}. */
    String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    /** A request to this app's {@code path}, carrying the admin key the e2e apps start with. */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Bearer " + ADMIN_KEY);
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        await("ready: " + name).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see e2e/target/logs");
            }
            try {
                var response = http.send(HttpRequest.newBuilder(URI.create(managementUrl("/q/health/ready"))).build(),
                        HttpResponse.BodyHandlers.discarding());
                return response.statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGTERM, as a process manager stops a service; returns how long the process took to exit. */
    java.time.Duration terminate(java.time.Duration atMost) throws Exception {
        long t0 = System.nanoTime();
        process.destroy();
        if (!process.waitFor(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not exit within " + atMost + " of SIGTERM");
        }
        return java.time.Duration.ofNanos(System.nanoTime() - t0);
    }

    /** {@code kill -STOP}: the process freezes wherever it is, mid-statement or mid-send. */
    void pause() throws Exception {
        signal("STOP");
    }

    /** {@code kill -CONT}. */
    void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        int exit = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited " + exit);
    }

    /** {@code kill -9}: no shutdown hook, no last commit, no ack. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
