package dev.longhaul.api.access;

import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.tenant.Scope;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The audit log (admin only), newest first, with keyset paging. */
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {
    /** A page; {@code next} is the {@code after} of the following page, or null at the end. */
    public record Page(List<AuditLog.Entry> items, String next) {
    }

    @Inject
    AuditLog audit;

    @GET
    @Requires(Role.ADMIN)
    public Page list(@QueryParam("limit") String limit, @QueryParam("after") String after,
            @QueryParam("tenant") String tenant) {
        long size = parse("limit", limit, 100);
        if (size < 1 || size > 1000) throw new InvalidRequestException("limit", "must be between 1 and 1000");
        Long cursor = after == null ? null : parse("after", after, 0);
        if (tenant != null && !Scope.validName(tenant)) throw new InvalidRequestException("tenant", "is not a tenant name");
        var items = audit.page(tenant == null ? Scope.all() : Scope.tenant(tenant), cursor, (int) size);
        return new Page(items, items.size() == size ? String.valueOf(items.getLast().id()) : null);
    }

    private static long parse(String field, String value, long otherwise) {
        if (value == null) return otherwise;
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(field, "must be a whole number");
        }
    }
}
