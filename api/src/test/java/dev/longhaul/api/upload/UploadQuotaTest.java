package dev.longhaul.api.upload;

import static dev.longhaul.api.TestKeys.as;
import static dev.longhaul.api.TestKeys.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.Test;

/**
 * A tenant's uploads stay within its quota (the tests give tenant {@code tiny-quota} 1,000
 * bytes): the upload that would pass it is a 413 naming the quota and keeps nothing; what fits
 * is still taken.
 */
@QuarkusTest
class UploadQuotaTest {
    @Inject
    AgroalDataSource db;

    @Test
    void anUploadPastTheTenantsQuotaIsRefusedAndWhatFitsIsTaken() throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement("delete from longhaul.upload where tenant = 'tiny-quota'")) {
            s.executeUpdate();
        }
        String key = given().contentType("application/json")
                .body("{\"name\":\"quota\",\"tenant\":\"tiny-quota\",\"roles\":[\"read\",\"submit\"]}")
                .post("/api/keys").then().statusCode(201).extract().path("key");
        String csv600 = "email,name\n" + "q@example.com,Quota Test Name\n".repeat(20);

        as(key).contentType("text/csv").body(csv600.substring(0, 600)).post("/api/uploads?name=first.csv")
                .then().statusCode(201).body("size", equalTo(600));
        as(key).contentType("text/csv").body(csv600.substring(0, 600)).post("/api/uploads?name=second.csv")
                .then().statusCode(413).contentType("application/problem+json")
                .body("type", containsString("upload-quota"))
                .body("errors[0].field", equalTo("body"))
                .body("errors[0].message", containsString("quota of 1000 bytes"));
        as(key).contentType("text/csv").body(csv600.substring(0, 400)).post("/api/uploads?name=third.csv")
                .then().statusCode(201).body("size", equalTo(400));
        // the default tenant's quota is its own
        given().contentType("text/csv").body(csv600.substring(0, 600)).post("/api/uploads?name=other.csv")
                .then().statusCode(201);
    }
}
