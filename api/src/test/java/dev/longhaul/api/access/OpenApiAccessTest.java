package dev.longhaul.api.access;

import static dev.longhaul.api.TestKeys.anonymous;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Every operation the OpenAPI document lists under {@code /api} answers 401 without a key, so no
 * route ships unprotected; the document itself is served on the management interface only.
 */
@QuarkusTest
class OpenApiAccessTest {
    @Test
    void everyOperationRefusesARequestWithoutAKey() {
        int managementPort = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        String openapi = "http://localhost:" + managementPort + "/q/openapi";
        JsonPath document = RestAssured.given().queryParam("format", "json").get(openapi).then().statusCode(200)
                .extract().jsonPath();
        Map<String, Map<String, Object>> paths = document.getMap("paths");
        List<String> checked = new ArrayList<>();
        List<String> open = new ArrayList<>();
        paths.forEach((path, operations) -> {
            if (!path.startsWith("/api")) return;
            String concrete = path.replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
            for (String method : operations.keySet()) {
                if (List.of("parameters", "summary", "description").contains(method)) continue;
                int status = anonymous().contentType("application/json").body("{}").request(method.toUpperCase(), concrete)
                        .statusCode();
                checked.add(method.toUpperCase() + " " + path);
                if (status != 401) open.add(method.toUpperCase() + " " + path + " answered " + status);
            }
        });
        assertThat(open).isEmpty();
        // the routes the API is known to have are all in the document
        assertThat(checked).contains("POST /api/jobs", "GET /api/jobs/{id}", "GET /api/jobs/{id}/artifacts/{name}",
                "POST /api/jobs/{id}/cancel", "POST /api/uploads", "POST /api/schedules", "DELETE /api/schedules/{id}",
                "POST /api/keys", "GET /api/keys", "DELETE /api/keys/{id}", "GET /api/audit", "GET /api/workers");
    }
}
