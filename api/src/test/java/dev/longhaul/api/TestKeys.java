package dev.longhaul.api;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/**
 * Requests as the api tests make them: with the bootstrap admin key of the test profile
 * ({@code %test.longhaul.bootstrap-admin-key}), or with a key of their own.
 */
public final class TestKeys {
    /** The secret of the test profile's bootstrap admin key. */
    public static final String ADMIN = "test-admin-key-for-the-api-tests-0123456789";

    private TestKeys() {
    }

    /** A request as the admin. */
    public static RequestSpecification given() {
        return as(ADMIN);
    }

    /** A request with {@code key} as its bearer token. */
    public static RequestSpecification as(String key) {
        return RestAssured.given().header("Authorization", "Bearer " + key);
    }

    /** A request with no key at all. */
    public static RequestSpecification anonymous() {
        return RestAssured.given();
    }
}
