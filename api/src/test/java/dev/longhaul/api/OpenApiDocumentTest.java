package dev.longhaul.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OpenApiDocumentTest {
    @Test
    void dump() throws Exception {
        int managementPort = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        String body = RestAssured.given().queryParam("format", "json").get("http://localhost:" + managementPort + "/q/openapi")
                .then().statusCode(200).extract().asString();
        Files.writeString(Path.of("target/openapi-dump.json"), body);
    }
}
