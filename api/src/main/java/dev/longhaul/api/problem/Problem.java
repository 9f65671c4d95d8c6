package dev.longhaul.api.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.longhaul.core.kind.FieldError;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * An RFC 9457 problem detail. {@code errors} names every offending field; no exception class or
 * stack trace is ever part of one.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";

    /** A problem about one field, whose message is the exception's. */
    public static Response about(int status, String slug, String title, String field, RuntimeException e) {
        return response(status, slug, title, e.getMessage(), List.of(new FieldError(field, e.getMessage())));
    }

    public static Response response(int status, String slug, String title, String detail, List<FieldError> errors) {
        return Response.status(status)
                .type(MEDIA_TYPE)
                .entity(new Problem("urn:longhaul:problem:" + slug, title, status, detail, errors))
                .build();
    }
}
