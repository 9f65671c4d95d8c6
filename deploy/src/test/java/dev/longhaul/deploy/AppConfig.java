package dev.longhaul.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One app's configuration as the prod profile sees it: core's
 * {@code META-INF/microprofile-config.properties} overridden by the app's
 * {@code application.properties}, without {@code %profile.} entries. The deploy artefacts are
 * checked against this, so a port or a lane changed in the app breaks the test, not a cluster.
 */
final class AppConfig {
    static final String CORE = "core/src/main/resources/META-INF/microprofile-config.properties";
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}:]+)(:[^}]*)?}");
    private static final Pattern LOOPBACK = Pattern.compile("^(127\\.0\\.0\\.1|localhost)$|//(127\\.0\\.0\\.1|localhost)[:/]");

    final String app;
    private final Map<String, String> values = new LinkedHashMap<>();

    private AppConfig(String app) {
        this.app = app;
        load(CORE);
        load(app + "/src/main/resources/application.properties");
    }

    static AppConfig of(String app) {
        return new AppConfig(app);
    }

    private void load(String file) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(Repo.read(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String key : properties.stringPropertyNames()) {
            if (!key.startsWith("%")) values.put(key, properties.getProperty(key).trim());
        }
    }

    Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The environment variable MicroProfile Config maps onto {@code property}. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    int httpPort() {
        return Integer.parseInt(get("quarkus.http.port").orElse("8080"));
    }

    /** The management port, where health and metrics are served; fails when the app has none. */
    int managementPort() {
        if (!get("quarkus.management.enabled").map(Boolean::parseBoolean).orElse(false)) {
            throw new AssertionError(app + "/src/main/resources/application.properties does not set "
                    + "quarkus.management.enabled=true: the probes and scrapes of deploy/ expect health and metrics "
                    + "on the management interface");
        }
        return Integer.parseInt(get("quarkus.management.port").orElse("9000"));
    }

    /** Whether /q/health is served on the management interface (Quarkus' default once it is enabled). */
    boolean healthOnManagement() {
        return get("quarkus.smallrye-health.management.enabled").map(Boolean::parseBoolean).orElse(true);
    }

    /**
     * Environment variables the app cannot run in a cluster without:
     * <ul>
     * <li>{@code ${name}} references without a default to a property nothing defines;</li>
     * <li>the passwords the prod profile refuses at their development value
     * ({@code DefaultCredentials}' {@code *password*} properties);</li>
     * <li>properties whose default points at this machine (127.0.0.1, localhost): the database
     * and the broker. A default that is itself a {@code ${other:fallback}} expression is an
     * optional setting with its own switch (the OTLP collector), not a requirement.</li>
     * </ul>
     */
    Set<String> requiredEnv() {
        Set<String> required = new TreeSet<>();
        for (String value : values.values()) {
            Matcher m = REFERENCE.matcher(value);
            while (m.find()) {
                if (m.group(2) == null && !values.containsKey(m.group(1)) && !m.group(1).startsWith("quarkus.application.")) {
                    required.add(envName(m.group(1)));
                }
            }
        }
        required.addAll(refusedDevelopmentPasswords());
        values.forEach((key, value) -> {
            if (LOOPBACK.matcher(value).find() && !value.startsWith("${")) required.add(envName(key));
        });
        return required;
    }

    /** The env names of the passwords {@code DefaultCredentials} refuses in the prod profile. */
    static Set<String> refusedDevelopmentPasswords() {
        String source = Repo.read("core/src/main/java/dev/longhaul/core/config/DefaultCredentials.java");
        Matcher m = Pattern.compile("@ConfigProperty\\(name = \"([^\"]*password[^\"]*)\"").matcher(source);
        Set<String> names = new TreeSet<>();
        while (m.find()) names.add(envName(m.group(1)));
        if (names.isEmpty()) throw new AssertionError("DefaultCredentials names no password property any more: update this test");
        return names;
    }

    /** The development password the prod profile refuses. */
    static String developmentPassword() {
        String source = Repo.read("core/src/main/java/dev/longhaul/core/config/DefaultCredentials.java");
        Matcher m = Pattern.compile("DEVELOPMENT_PASSWORD = \"([^\"]+)\"").matcher(source);
        if (!m.find()) throw new AssertionError("DefaultCredentials.DEVELOPMENT_PASSWORD not found: update this test");
        return m.group(1);
    }

    /** The RabbitMQ queues of the worker's lane channels ({@code mp.messaging.incoming.lane-*.queue.name}). */
    Map<String, String> laneQueues() {
        Map<String, String> lanes = new LinkedHashMap<>();
        Pattern channel = Pattern.compile("mp\\.messaging\\.incoming\\.lane-([a-z0-9-]+)\\.queue\\.name");
        values.forEach((key, value) -> {
            Matcher m = channel.matcher(key);
            if (m.matches()) lanes.put(m.group(1), value);
        });
        return lanes;
    }

    /**
     * A {@code longhaul.worker.*} duration: from the properties, else the {@code @WithDefault} on
     * its method in {@code WorkerConfig}.
     */
    Duration workerDuration(String property, String method) {
        Optional<String> configured = get(property);
        if (configured.isPresent()) return duration(configured.get());
        String source = Repo.read("worker/src/main/java/dev/longhaul/worker/run/WorkerConfig.java");
        Matcher m = Pattern.compile("@WithDefault\\(\"([^\"]+)\"\\)\\s+Duration " + method + "\\(\\)").matcher(source);
        if (!m.find()) throw new AssertionError("no default for " + property + " in WorkerConfig." + method + "()");
        return duration(m.group(1));
    }

    /** Quarkus' shutdown delay, zero unless configured. */
    Duration shutdownDelay() {
        return get("quarkus.shutdown.delay").map(AppConfig::duration).orElse(Duration.ZERO);
    }

    /** A Quarkus duration: {@code 25s}, {@code 500ms}, {@code 1m}, {@code PT25S} or plain seconds. */
    static Duration duration(String text) {
        String t = text.trim();
        if (t.startsWith("P") || t.startsWith("p")) return Duration.parse(t);
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(t);
        if (!m.matches()) throw new IllegalArgumentException("not a duration: " + text);
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
