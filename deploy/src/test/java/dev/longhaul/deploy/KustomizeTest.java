package dev.longhaul.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders each overlay of deploy/k8s with {@code kubectl kustomize} and checks the objects
 * against the apps' own configuration: what the apps need is set, probes and scrapes reach the
 * ports the apps listen on, the worker may finish its drain, KEDA watches the lanes' queues.
 */
class KustomizeTest {
    static final List<String> APPS = List.of("api", "worker", "scheduler");
    private static final Map<String, Rendered> RENDERED = new ConcurrentHashMap<>();
    /** The Secrets CloudNativePG makes for a Cluster named {@code c}: {@code c-app}, with these keys. */
    private static final Set<String> CNPG_APP_SECRET_KEYS = Set.of("username", "password", "host", "port", "dbname", "uri", "jdbc-uri");

    static Rendered render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, Rendered::overlay);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void rendersTheThreeAppsAndTheMigrationJob(String overlay) {
        Rendered r = render(overlay);
        assertThat(r.all("Deployment")).extracting(d -> d.path("metadata").path("name").asText())
                .containsExactlyInAnyOrder("longhaul-api", "longhaul-worker", "longhaul-scheduler");
        JsonNode job = r.get("Job", "longhaul-migrate");
        Map<String, String> env = r.env(job);
        assertThat(env).as("the migration Job migrates and exits")
                .containsEntry("QUARKUS_INIT_AND_EXIT", "true").containsEntry("QUARKUS_FLYWAY_MIGRATE_AT_START", "true");
        for (String app : APPS) {
            assertThat(r.env(r.deployment(app)).get("QUARKUS_FLYWAY_MIGRATE_AT_START"))
                    .as("%s migrates only in the Job, before the rollout", app).isEqualTo("false");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyVariableAnAppRequiresIsSet(String overlay) {
        Rendered r = render(overlay);
        for (String app : APPS) {
            Set<String> required = new TreeSet<>(AppConfig.of(app).requiredEnv());
            if (app.equals("api")) required.add("LONGHAUL_BOOTSTRAP_ADMIN_KEY"); // the first admin key: no API access without one
            JsonNode deployment = r.deployment(app);
            Map<String, String> env = r.env(deployment);
            assertThat(env.keySet()).as("%s/%s: variables the app requires (%s)", overlay, app, required).containsAll(required);
            for (String name : required) {
                assertThat(env.get(name)).as("%s/%s: %s", overlay, app, name).isNotBlank();
            }
            for (String password : AppConfig.refusedDevelopmentPasswords()) {
                assertThat(env.get(password)).as("%s/%s: %s comes from a Secret", overlay, app, password).startsWith("secret:");
            }
            assertThat(env.getOrDefault("LONGHAUL_ALLOW_DEFAULT_CREDENTIALS", "false"))
                    .as("%s/%s must not allow the development passwords", overlay, app).isNotEqualToIgnoringCase("true");
            assertSecretsResolve(r, app, env);
        }
    }

    /** Every secretKeyRef names a Secret that is rendered, made by an operator, or (prod) created out of band. */
    private static void assertSecretsResolve(Rendered r, String app, Map<String, String> env) {
        Set<String> operatorSecrets = r.all("Cluster").stream()
                .map(c -> c.path("metadata").path("name").asText() + "-app").collect(Collectors.toSet());
        env.forEach((name, value) -> {
            if (!value.startsWith("secret:")) return;
            String secret = value.substring("secret:".length(), value.indexOf('/'));
            String key = value.substring(value.indexOf('/') + 1);
            if (operatorSecrets.contains(secret)) {
                assertThat(CNPG_APP_SECRET_KEYS).as("%s: %s from CloudNativePG's %s", app, name, secret).contains(key);
            } else if (r.overlay.equals("dev")) {
                JsonNode s = r.get("Secret", secret);
                assertThat(s.path("data").has(key) || s.path("stringData").has(key))
                        .as("dev/%s: %s reads key %s of Secret %s", app, name, key, secret).isTrue();
                if (AppConfig.refusedDevelopmentPasswords().contains(name) && s.path("data").has(key)) {
                    assertThat(decode(s.path("data").path(key).asText()))
                            .as("dev/%s: %s is not the development password the prod profile refuses", app, name)
                            .isNotEqualTo(AppConfig.developmentPassword());
                }
            } else {
                assertThat(r.find("Secret", secret)).as("prod keeps credentials out of the repository: %s", secret).isEmpty();
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void probesAndScrapesUseTheManagementPort(String overlay) {
        Rendered r = render(overlay);
        for (String app : APPS) {
            AppConfig config = AppConfig.of(app);
            JsonNode deployment = r.deployment(app);
            JsonNode container = Rendered.container(deployment);
            Map<String, String> env = r.env(deployment);
            int management = Integer.parseInt(env.getOrDefault("QUARKUS_MANAGEMENT_PORT", String.valueOf(config.managementPort())));
            int http = Integer.parseInt(env.getOrDefault("QUARKUS_HTTP_PORT", String.valueOf(config.httpPort())));
            assertThat(config.healthOnManagement())
                    .as("%s serves /q/health on its management port (quarkus.smallrye-health.management.enabled is not false)", app)
                    .isTrue();
            Map<String, String> paths = Map.of("startupProbe", "/q/health/started", "livenessProbe", "/q/health/live",
                    "readinessProbe", "/q/health/ready");
            paths.forEach((probe, path) -> {
                JsonNode get = container.path(probe).path("httpGet");
                assertThat(get.path("path").asText()).as("%s/%s %s", overlay, app, probe).isEqualTo(path);
                assertThat(Rendered.port(container, get.path("port"))).as("%s/%s %s port", overlay, app, probe).isEqualTo(management);
            });
            assertThat(Rendered.port(container, new ObjectMapper().getNodeFactory().textNode("http")))
                    .as("%s/%s http port", overlay, app).isEqualTo(http);
            JsonNode annotations = deployment.path("spec").path("template").path("metadata").path("annotations");
            assertThat(annotations.path("prometheus.io/port").asText()).as("%s/%s scrape port", overlay, app)
                    .isEqualTo(String.valueOf(management));
            assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/q/metrics");
            for (JsonNode monitor : r.all("PodMonitor")) {
                for (JsonNode endpoint : monitor.path("spec").path("podMetricsEndpoints")) {
                    assertThat(Rendered.port(container, endpoint.path("port"))).isEqualTo(management);
                    assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theWorkerMayFinishItsDrainBeforeTheKill(String overlay) {
        Rendered r = render(overlay);
        AppConfig config = AppConfig.of("worker");
        JsonNode worker = r.deployment("worker");
        Map<String, String> env = r.env(worker);
        Duration drain = env.containsKey("LONGHAUL_WORKER_DRAIN_GRACE")
                ? AppConfig.duration(env.get("LONGHAUL_WORKER_DRAIN_GRACE"))
                : config.workerDuration("longhaul.worker.drain-grace", "drainGrace");
        Duration delay = env.containsKey("QUARKUS_SHUTDOWN_DELAY")
                ? AppConfig.duration(env.get("QUARKUS_SHUTDOWN_DELAY")) : config.shutdownDelay();
        Duration preStop = Duration.ofSeconds(Rendered.container(worker).path("lifecycle").path("preStop").path("sleep").path("seconds").asLong(0));
        long grace = worker.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asLong(30);
        Duration margin = Duration.ofSeconds(10);
        assertThat(Duration.ofSeconds(grace))
                .as("%s: worker grace %ss > drain %s + shutdown delay %s + preStop %s + margin %s", overlay, grace, drain, delay, preStop, margin)
                .isGreaterThan(drain.plus(delay).plus(preStop).plus(margin));
        assertThat(grace).as("the issue asks for at least 40 s").isGreaterThanOrEqualTo(40);
        for (String app : APPS) {
            JsonNode d = r.deployment(app);
            long appGrace = d.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asLong(30);
            long sleep = Rendered.container(d).path("lifecycle").path("preStop").path("sleep").path("seconds").asLong(0);
            assertThat(appGrace).as("%s: grace beyond its preStop sleep", app).isGreaterThan(sleep + 10);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void kedaWatchesExactlyTheLanesQueues(String overlay) {
        Rendered r = render(overlay);
        Map<String, String> lanes = AppConfig.of("worker").laneQueues();
        assertThat(lanes).as("the worker's lane channels").isNotEmpty();
        JsonNode scaled = r.get("ScaledObject", "longhaul-worker");
        JsonNode target = scaled.path("spec").path("scaleTargetRef");
        assertThat(target.path("kind").asText("Deployment")).isEqualTo("Deployment");
        assertThat(r.find("Deployment", target.path("name").asText())).as("the ScaledObject's target").isPresent();
        assertThat(target.path("name").asText()).isEqualTo("longhaul-worker");

        List<JsonNode> triggers = StreamSupport.stream(scaled.path("spec").path("triggers").spliterator(), false).toList();
        List<JsonNode> rabbit = triggers.stream().filter(t -> t.path("type").asText().equals("rabbitmq")).toList();
        assertThat(rabbit).extracting(t -> t.path("metadata").path("queueName").asText())
                .as("one rabbitmq trigger per lane queue").containsExactlyInAnyOrderElementsOf(lanes.values());
        String vhost = r.env(r.deployment("worker")).get("RABBITMQ_VIRTUAL_HOST");
        for (JsonNode t : rabbit) {
            JsonNode m = t.path("metadata");
            assertThat(m.path("protocol").asText()).as("the management API counts unacked messages").isEqualTo("http");
            assertThat(m.path("mode").asText()).isEqualTo("QueueLength");
            assertThat(m.path("vhostName").asText()).isEqualTo(vhost);
            assertThat(Integer.parseInt(m.path("value").asText())).isPositive();
            String auth = t.path("authenticationRef").path("name").asText();
            JsonNode ta = r.get("TriggerAuthentication", auth);
            assertThat(ta.path("spec").path("secretTargetRef")).extracting(s -> s.path("parameter").asText()).contains("host");
        }
        assertThat(triggers).filteredOn(t -> t.path("type").asText().equals("prometheus"))
                .as("a prometheus trigger on the jobs due in PostgreSQL")
                .anySatisfy(t -> assertThat(t.path("metadata").path("query").asText()).contains("longhaul_lane_depth"));

        JsonNode hpa = r.get("HorizontalPodAutoscaler", "longhaul-api");
        assertThat(hpa.path("apiVersion").asText()).isEqualTo("autoscaling/v2");
        assertThat(hpa.path("spec").path("scaleTargetRef").path("name").asText()).isEqualTo("longhaul-api");
        assertThat(hpa.path("spec").path("metrics")).extracting(m -> m.path("resource").path("name").asText()).contains("cpu");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void imagesAndLabelsAgree(String overlay) {
        Rendered r = render(overlay);
        Set<String> tags = new HashSet<>();
        for (String app : APPS) {
            JsonNode d = r.deployment(app);
            String image = Rendered.container(d).path("image").asText();
            String repository = image.substring(0, image.lastIndexOf(':'));
            tags.add(image.substring(image.lastIndexOf(':') + 1));
            assertThat(repository).as("%s runs its own image", app).endsWith("longhaul-" + app);
            JsonNode labels = d.path("spec").path("template").path("metadata").path("labels");
            assertThat(Rendered.selects(d.path("spec").path("selector").path("matchLabels"), labels))
                    .as("%s: the selector matches the pod template", app).isTrue();
            assertThat(labels.path("app.kubernetes.io/part-of").asText()).isEqualTo("longhaul");
        }
        String jobImage = Rendered.container(r.get("Job", "longhaul-migrate")).path("image").asText();
        assertThat(jobImage).as("the migration Job runs the api image of the release").isEqualTo(Rendered.container(r.deployment("api")).path("image").asText());
        assertThat(tags).as("one release: the three apps share a tag").hasSize(1);
        if (overlay.equals("prod")) assertThat(tags).doesNotContain("latest", "local");

        JsonNode service = r.get("Service", "longhaul-api");
        for (String app : APPS) {
            JsonNode labels = r.deployment(app).path("spec").path("template").path("metadata").path("labels");
            assertThat(Rendered.selects(service.path("spec").path("selector"), labels))
                    .as("Service longhaul-api selects the %s pods", app).isEqualTo(app.equals("api"));
        }
        JsonNode apiContainer = Rendered.container(r.deployment("api"));
        for (JsonNode port : service.path("spec").path("ports")) {
            assertThat(Rendered.port(apiContainer, port.path("targetPort"))).isEqualTo(AppConfig.of("api").httpPort());
        }
        for (JsonNode rule : r.get("Ingress", "longhaul-api").path("spec").path("rules")) {
            for (JsonNode path : rule.path("http").path("paths")) {
                assertThat(path.path("backend").path("service").path("name").asText()).isEqualTo("longhaul-api");
            }
        }
        for (JsonNode pdb : r.all("PodDisruptionBudget")) {
            long matched = APPS.stream().filter(app -> Rendered.selects(pdb.path("spec").path("selector").path("matchLabels"),
                    r.deployment(app).path("spec").path("template").path("metadata").path("labels"))).count();
            assertThat(matched).as("PodDisruptionBudget %s covers one app", pdb.path("metadata").path("name").asText()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void podsRunAsNonRootOnAReadOnlyRoot(String overlay) {
        Rendered r = render(overlay);
        for (String app : APPS) {
            JsonNode d = r.deployment(app);
            JsonNode pod = d.path("spec").path("template").path("spec");
            JsonNode container = Rendered.container(d);
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(app).isTrue();
            assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).as(app).isTrue();
            assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).as(app).isFalse();
            assertThat(container.path("volumeMounts")).extracting(m -> m.path("mountPath").asText()).as(app).contains("/tmp");
            assertThat(container.path("resources").path("requests").has("memory")).as(app).isTrue();
            assertThat(container.path("resources").path("limits").has("memory")).as(app).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theBrokerLoadsTheRepositorysTopology(String overlay) throws Exception {
        Rendered r = render(overlay);
        JsonNode rabbit = r.get("RabbitmqCluster", "longhaul-rabbitmq");
        JsonNode definitions = r.get("ConfigMap", "longhaul-rabbitmq-definitions");
        ObjectMapper json = new ObjectMapper();
        JsonNode topology = json.readTree(definitions.path("data").path("10-topology.json").asText());
        assertThat(topology).as("the ConfigMap is deploy/rabbitmq/definitions.json")
                .isEqualTo(json.readTree(Repo.read("deploy/rabbitmq/definitions.json")));
        assertThat(topology.path("queues")).extracting(q -> q.path("name").asText())
                .containsAll(AppConfig.of("worker").laneQueues().values());
        String config = rabbit.path("spec").path("rabbitmq").path("additionalConfig").asText();
        JsonNode pod = rabbit.path("spec").path("override").path("statefulSet").path("spec").path("template").path("spec");
        String mountPath = pod.path("containers").get(0).path("volumeMounts").get(0).path("mountPath").asText();
        assertThat(config).contains("load_definitions = " + mountPath);
        assertThat(pod.path("volumes").get(0).path("projected").path("sources"))
                .anySatisfy(s -> assertThat(s.path("configMap").path("name").asText()).isEqualTo("longhaul-rabbitmq-definitions"));
        if (overlay.equals("dev")) {
            // one password, three places: the apps' Secret, the broker's user, KEDA's URL
            JsonNode access = r.get("Secret", "longhaul-rabbitmq-access").path("data");
            String password = decode(access.path("password").asText());
            JsonNode users = json.readTree(decode(access.path("definitions.json").asText()));
            assertThat(users.path("users")).anySatisfy(u -> {
                assertThat(u.path("name").asText()).isEqualTo(decode(access.path("username").asText()));
                assertThat(u.path("password").asText()).isEqualTo(password);
            });
            assertThat(decode(access.path("management-url").asText())).contains(":" + password + "@");
        }
    }

    private static String decode(String base64) {
        return new String(java.util.Base64.getMimeDecoder().decode(base64), java.nio.charset.StandardCharsets.UTF_8);
    }
}
