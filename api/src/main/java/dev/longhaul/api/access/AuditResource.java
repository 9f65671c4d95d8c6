package dev.longhaul.api.access;

import dev.longhaul.api.QueryParams;
import dev.longhaul.api.ApiExamples;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.tenant.Scope;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The audit log (admin only), newest first, with keyset paging. */
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Audit", description = "Who changed what: one entry per state-changing request made with a valid key.")
public class AuditResource {
    /** A page; {@code next} is the {@code after} of the following page, or null at the end. */
    @Schema(name = "AuditPage",
            description = "A page of the audit log; `next` is the `after` of the following page, or null at the end.")
    public record Page(List<AuditLog.Entry> items, String next) {
    }

    @Inject
    AuditLog audit;

    @GET
    @Requires(Role.ADMIN)
    @Operation(summary = "Read the audit log", description = """
            Newest first. Every request other than `GET`, `HEAD` and `OPTIONS` made with a valid key is an entry: \
            time, tenant, key, action (method and route, e.g. `POST /api/jobs/{id}/cancel`), target (the id acted \
            on or made) and outcome (the HTTP status, refusals included). Pass a page's `next` as `after` for the \
            following one. Needs the `admin` role.""")
    @APIResponse(responseCode = "200", description = "A page of entries.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Page.class),
                    examples = @ExampleObject(name = "page", value = ApiExamples.AUDIT_PAGE)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "401", ref = "Unauthorized")
    @APIResponse(responseCode = "403", ref = "Forbidden")
    public Page list(
            @Parameter(description = "Page size, 1 to 1000",
                    schema = @Schema(type = SchemaType.INTEGER, defaultValue = "100", minimum = "1", maximum = "1000"))
            @QueryParam("limit") String limit,
            @Parameter(description = "The `next` of the previous page", schema = @Schema(type = SchemaType.INTEGER, format = "int64"))
            @QueryParam("after") String after,
            @Parameter(description = "Only this tenant's entries") @QueryParam("tenant") String tenant) {
        int size = QueryParams.limit(limit, 100, 1000);
        Long cursor = after == null || after.isBlank() ? null : QueryParams.whole(after, "after", 0);
        if (tenant != null && !Scope.validName(tenant)) throw new InvalidRequestException("tenant", "is not a tenant name");
        var items = audit.page(tenant == null ? Scope.all() : Scope.tenant(tenant), cursor, size);
        return new Page(items, items.size() == size ? String.valueOf(items.getLast().id()) : null);
    }
}
