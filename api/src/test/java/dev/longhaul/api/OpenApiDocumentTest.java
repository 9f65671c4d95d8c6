package dev.longhaul.api;

import static dev.longhaul.api.TestKeys.anonymous;
import static dev.longhaul.api.TestKeys.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.api.access.AuditResource;
import dev.longhaul.api.access.KeyResource;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.job.JobResource;
import dev.longhaul.api.problem.Problem;
import dev.longhaul.api.schedule.ScheduleResource;
import dev.longhaul.api.upload.UploadResource;
import dev.longhaul.api.worker.WorkerResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document describes the API as it is: typed JSON bodies (not the {@code InputStream}
 * the resources read), the real status codes with problem+json errors, the bearer scheme, and the
 * role each operation needs.
 */
@QuarkusTest
class OpenApiDocumentTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonNode document;

    @BeforeEach
    void fetchDocument() throws Exception {
        int managementPort = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        String json = RestAssured.given().queryParam("format", "json").get("http://localhost:" + managementPort + "/q/openapi")
                .then().statusCode(200).extract().asString();
        document = MAPPER.readTree(json);
    }

    @Test
    void theBearerSchemeIsDeclaredOnceAndRequiredEverywhere() {
        JsonNode scheme = document.at("/components/securitySchemes/apiKey");
        assertThat(scheme.path("type").asText()).isEqualTo("http");
        assertThat(scheme.path("scheme").asText()).isEqualTo("bearer");
        assertThat(scheme.path("description").asText()).isNotBlank();
        assertThat(document.path("security")).anySatisfy(requirement -> assertThat(requirement.has("apiKey")).isTrue());
        assertThat(document.at("/info/title").asText()).isEqualTo("Longhaul API");
        assertThat(document.at("/info/description").asText()).contains("Bearer");
    }

    @Test
    void submittingAJobIsATypedJsonBodyWithItsRealResponses() {
        JsonNode submit = operation("/api/jobs", "post");
        JsonNode body = submit.at("/requestBody/content/application~1json");
        JsonNode schema = resolve(body.path("schema"));
        assertThat(schema.path("type").asText()).isEqualTo("object");
        assertThat(schema.at("/properties/kind/type").asText()).isEqualTo("string");
        assertThat(schema.path("format").asText()).isNotEqualTo("binary");
        assertThat(body.path("examples").size()).isPositive();
        assertThat(responseCodes(submit)).contains("202", "400", "401", "403", "409", "413", "415");
        JsonNode accepted = resolve(submit.at("/responses/202"));
        assertThat(accepted.at("/headers/Location").isMissingNode()).isFalse();
        JsonNode job = resolve(accepted.at("/content/application~1json/schema"));
        assertThat(job.at("/properties/state").isMissingNode()).isFalse();
        assertThat(accepted.at("/content/application~1json/examples")).isNotEmpty();
        // a job's params are any JSON value, not Jackson's JsonNode getters
        assertThat(resolve(job.at("/properties/params")).path("properties").isMissingNode()).isTrue();
    }

    @Test
    void keysAndUploadsAnswerWithTheirRealStatuses() {
        assertThat(responseCodes(operation("/api/keys", "post"))).contains("201", "400", "401", "403");
        assertThat(responseCodes(operation("/api/keys/{id}", "delete"))).contains("204", "404");
        assertThat(responseCodes(operation("/api/uploads", "post"))).contains("201", "413", "415");
        assertThat(responseCodes(operation("/api/schedules/{id}", "delete"))).contains("204", "404");
        assertThat(responseCodes(operation("/api/schedules", "post"))).contains("201");
    }

    @Test
    void everyOperationIsDescribedTaggedAndAnswers401AndProblems() {
        List<String> operations = new ArrayList<>();
        forEachOperation((name, operation) -> {
            operations.add(name);
            assertThat(responseCodes(operation)).as(name).contains("401");
            assertThat(operation.path("summary").asText()).as(name).isNotBlank();
            assertThat(operation.path("description").asText()).as(name).containsPattern("Needs the `[a-z]+` role");
            assertThat(operation.path("tags")).as(name).hasSize(1);
            assertThat(operation.path("tags").get(0).asText()).as(name)
                    .isIn("Jobs", "Schedules", "Uploads", "Keys", "Audit", "Workers", "Queues");
            Iterator<Map.Entry<String, JsonNode>> responses = operation.path("responses").fields();
            while (responses.hasNext()) {
                var entry = responses.next();
                JsonNode response = resolve(entry.getValue());
                assertThat(response.path("description").asText()).as(name + " " + entry.getKey()).isNotBlank();
                if (entry.getKey().startsWith("2") && !entry.getKey().equals("204")) {
                    assertThat(response.path("content").size()).as(name + " " + entry.getKey() + " has a schema").isPositive();
                }
                if (entry.getKey().startsWith("4")) {
                    JsonNode problem = response.at("/content/" + Problem.MEDIA_TYPE.replace("/", "~1") + "/schema");
                    assertThat(problem.path("$ref").asText()).as(name + " " + entry.getKey()).endsWith("/Problem");
                }
            }
        });
        assertThat(operations).hasSizeGreaterThan(20).contains("POST /api/jobs", "GET /api/workers", "GET /api/audit");
    }

    /** An example that is not valid JSON would be served as a string: each JSON example must be parsed. */
    @Test
    void everyJsonExampleIsJson() {
        List<JsonNode> contents = new ArrayList<>();
        forEachOperation((name, operation) -> {
            contents.add(operation.at("/requestBody/content"));
            operation.path("responses").forEach(response -> contents.add(resolve(response).path("content")));
        });
        List<String> examples = new ArrayList<>();
        for (JsonNode content : contents) {
            content.fields().forEachRemaining(media -> {
                if (!media.getKey().contains("json")) return;
                media.getValue().path("examples").fields().forEachRemaining(example -> {
                    JsonNode value = example.getValue().path("value");
                    assertThat(value.isObject() || value.isArray()).as(media.getKey() + " example " + example.getKey()).isTrue();
                    examples.add(example.getKey());
                });
            });
        }
        assertThat(examples).contains("sleep", "queued", "succeeded", "invalid-request", "unauthenticated", "job-not-found");
    }

    @Test
    void noRequestBodyIsABinaryStringButTheCsvUpload() {
        List<String> binary = new ArrayList<>();
        forEachOperation((name, operation) -> operation.path("requestBody").path("content").fields().forEachRemaining(media -> {
            if (resolve(media.getValue().path("schema")).path("format").asText().equals("binary")) {
                binary.add(name + " " + media.getKey());
            }
        }));
        assertThat(binary).containsExactlyInAnyOrder("POST /api/uploads text/csv", "POST /api/uploads application/csv");
    }

    /** Each documented operation names the role its {@code @Requires} really asks for. */
    @Test
    void theRoleInEachDescriptionIsTheOneTheRouteRequires() {
        List<String> checked = new ArrayList<>();
        for (Class<?> resource : List.of(JobResource.class, ScheduleResource.class, UploadResource.class, KeyResource.class,
                AuditResource.class, WorkerResource.class)) {
            for (Method method : resource.getDeclaredMethods()) {
                Operation operation = method.getAnnotation(Operation.class);
                Requires requires = method.getAnnotation(Requires.class);
                if (requires == null || (operation != null && operation.hidden())) continue;
                assertThat(operation).as(method.toString()).isNotNull();
                assertThat(operation.description()).as(method.toString())
                        .contains("Needs the `" + requires.value().id() + "` role");
                checked.add(method.getName());
            }
        }
        assertThat(checked).hasSizeGreaterThan(20);
    }

    /** The {@code Application} subclass that carries the definition leaves the routes at {@code /api}. */
    @Test
    void theRoutesStillAnswerUnderApi() {
        given().get("/api/jobs?limit=1").then().statusCode(200);
        anonymous().get("/api/jobs").then().statusCode(401);
        given().get("/jobs").then().statusCode(404);
    }

    private JsonNode operation(String path, String method) {
        JsonNode operation = document.path("paths").path(path).path(method);
        assertThat(operation.isMissingNode()).as(method + " " + path + " is documented").isFalse();
        return operation;
    }

    private void forEachOperation(java.util.function.BiConsumer<String, JsonNode> action) {
        document.path("paths").fields().forEachRemaining(path -> {
            if (!path.getKey().startsWith("/api")) return;
            path.getValue().fields().forEachRemaining(op -> {
                if (METHODS.contains(op.getKey())) action.accept(op.getKey().toUpperCase() + " " + path.getKey(), op.getValue());
            });
        });
    }

    private static List<String> responseCodes(JsonNode operation) {
        List<String> codes = new ArrayList<>();
        operation.path("responses").fieldNames().forEachRemaining(codes::add);
        return codes;
    }

    /** The node a {@code $ref} points to (within this document), or the node itself. */
    private JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        for (int i = 0; i < 10 && current.has("$ref"); i++) {
            String ref = current.path("$ref").asText();
            assertThat(ref).startsWith("#/");
            current = document.at(ref.substring(1));
            assertThat(current.isMissingNode()).as(ref + " resolves").isFalse();
        }
        return current;
    }
}
