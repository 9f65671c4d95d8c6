package dev.longhaul.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** deploy/compose parses, and its services, ports and scrapes agree with the apps' configuration. */
class ComposeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** compose.yaml with its merge keys resolved (SnakeYAML; Jackson's YAML parser keeps "<<" as a key). */
    static JsonNode compose() {
        Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(Repo.read("deploy/compose/compose.yaml"));
        return JSON.valueToTree(tree);
    }

    @Test
    void definesTheWholeStack() {
        JsonNode services = compose().path("services");
        for (String service : List.of("postgres", "rabbitmq", "api", "worker", "scheduler", "prometheus", "grafana",
                "otel-collector", "jaeger")) {
            assertThat(services.has(service)).as("service %s", service).isTrue();
        }
        assertThat(services.path("worker").path("deploy").path("replicas").asInt()).as("two workers").isEqualTo(2);
        assertThat(services.path("rabbitmq").path("image").asText()).contains("management");
        assertThat(services.path("rabbitmq").path("volumes")).extracting(JsonNode::asText)
                .anySatisfy(v -> assertThat(v).startsWith("../rabbitmq/definitions.json:"));
        assertThat(services.path("grafana").path("volumes")).extracting(JsonNode::asText)
                .anySatisfy(v -> assertThat(v).startsWith("../grafana/longhaul.json:"));
    }

    @Test
    void appPortsAreTheConfiguredOnes() {
        JsonNode services = compose().path("services");
        for (String app : KustomizeTest.APPS) {
            AppConfig config = AppConfig.of(app);
            JsonNode service = services.path(app);
            Set<Integer> containerPorts = new HashSet<>();
            for (JsonNode p : service.path("ports")) {
                String[] parts = p.asText().split(":");
                containerPorts.add(Integer.parseInt(parts[parts.length - 1].replaceAll("/.*", "")));
            }
            for (JsonNode p : service.path("expose")) containerPorts.add(Integer.parseInt(p.asText()));
            assertThat(containerPorts).as("%s: its http and management ports", app)
                    .containsExactlyInAnyOrder(config.httpPort(), config.managementPort());
            String health = service.path("healthcheck").path("test").toString();
            assertThat(health).as("%s: the health check asks the management port", app)
                    .contains("/" + config.managementPort()).contains("/q/health/ready");
            assertThat(service.path("build").path("args").path("APP").asText()).isEqualTo(app);
            assertThat(service.path("image").asText()).startsWith("longhaul-" + app + ":");
        }
    }

    @Test
    void appsGetWhatTheyRequire() throws Exception {
        JsonNode services = compose().path("services");
        String developmentPassword = AppConfig.developmentPassword();
        JsonNode access = JSON.readTree(Repo.read("deploy/compose/rabbitmq/access.json"));
        for (String app : KustomizeTest.APPS) {
            JsonNode env = services.path(app).path("environment");
            Set<String> required = AppConfig.of(app).requiredEnv();
            for (String name : required) {
                assertThat(env.path(name).asText("")).as("%s: %s", app, name).isNotBlank();
            }
            for (String password : AppConfig.refusedDevelopmentPasswords()) {
                assertThat(env.path(password).asText()).as("%s: %s is not the refused development password", app, password)
                        .isNotEqualTo(developmentPassword).doesNotContain(":-" + developmentPassword + "}");
            }
            assertThat(env.path("LONGHAUL_ALLOW_DEFAULT_CREDENTIALS").asText("false")).isNotEqualToIgnoringCase("true");
            assertThat(access.path("users")).as("%s logs in as a user the broker loads", app).anySatisfy(u -> {
                assertThat(u.path("name").asText()).isEqualTo(env.path("RABBITMQ_USERNAME").asText());
                assertThat(u.path("password").asText()).isEqualTo(env.path("RABBITMQ_PASSWORD").asText());
            });
            assertThat(access.path("permissions")).anySatisfy(p ->
                    assertThat(p.path("vhost").asText()).isEqualTo(env.path("RABBITMQ_VIRTUAL_HOST").asText()));
        }
    }

    @Test
    void prometheusScrapesEachAppsManagementPort() throws Exception {
        JsonNode prometheus = new ObjectMapper(new YAMLFactory()).readTree(Repo.read("deploy/compose/prometheus.yml"));
        Map<String, Integer> scraped = new java.util.HashMap<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            assertThat(job.path("metrics_path").asText()).isEqualTo("/q/metrics");
            for (JsonNode sd : job.path("dns_sd_configs")) {
                for (JsonNode name : sd.path("names")) scraped.put(name.asText(), sd.path("port").asInt());
            }
            for (JsonNode sc : job.path("static_configs")) {
                for (JsonNode target : sc.path("targets")) {
                    String[] hostPort = target.asText().split(":");
                    scraped.put(hostPort[0], Integer.parseInt(hostPort[1]));
                }
            }
        }
        for (String app : KustomizeTest.APPS) {
            assertThat(scraped).as("Prometheus scrapes %s on its management port", app)
                    .containsEntry(app, AppConfig.of(app).managementPort());
        }
    }

    @Test
    void theDashboardQueriesOnlyTheAppsMetrics() throws Exception {
        JsonNode dashboard = JSON.readTree(Repo.read("deploy/grafana/longhaul.json"));
        List<String> expressions = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> expressions.add(e.asText()));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) expressions.add(variable.path("definition").asText());
        }
        assertThat(expressions).isNotEmpty();
        Set<String> used = new HashSet<>();
        for (String expression : expressions) used.addAll(Promql.metricNames(expression));
        assertThat(Metrics.KNOWN).as("metrics of the apps").containsAll(used);
        assertThat(used).as("the dashboard shows jobs, lanes, throughput and dispatch")
                .contains("longhaul_jobs_finished_total", "longhaul_lane_depth", "longhaul_publish_confirm_seconds_bucket");
    }

    /** The metric names in a PromQL expression (or a Grafana label_values() query). */
    static final class Promql {
        private static final Set<String> WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
                "bool", "and", "or", "unless", "offset", "inf", "nan");
        private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

        static Set<String> metricNames(String expression) {
            String e = expression
                    .replaceAll("\"(\\\\.|[^\"])*\"", "\"\"")              // strings
                    .replaceAll("\\{[^}]*}", "")                         // label matchers
                    .replaceAll("\\[[^]]*]", "")                         // ranges ($__rate_interval, 1h)
                    .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "")
                    .replaceAll("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,[^)]*\\)", "$1");
            Set<String> names = new HashSet<>();
            Matcher m = IDENTIFIER.matcher(e);
            while (m.find()) {
                String word = m.group();
                int next = m.end();
                while (next < e.length() && Character.isWhitespace(e.charAt(next))) next++;
                boolean function = next < e.length() && e.charAt(next) == '(';
                boolean variable = m.start() > 0 && e.charAt(m.start() - 1) == '$';
                if (!function && !variable && !WORDS.contains(word.toLowerCase())) names.add(word);
            }
            return names;
        }
    }
}
