package dev.longhaul.api.problem;

import dev.longhaul.core.kind.FieldError;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks on every request before any route runs: a NUL character in the path or a query value is
 * a 400 naming where it is (PostgreSQL's text cannot hold one; left alone it would be a 500).
 */
public class InputChecks {
    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseNul(ContainerRequestContext request) {
        if (request.getUriInfo().getPath().indexOf('\0') >= 0) return Optional.of(nul("path"));
        for (Map.Entry<String, List<String>> param : request.getUriInfo().getQueryParameters().entrySet()) {
            if (param.getKey().indexOf('\0') >= 0) return Optional.of(nul("query"));
            for (String value : param.getValue()) {
                if (value.indexOf('\0') >= 0) return Optional.of(nul(param.getKey()));
            }
        }
        return Optional.empty();
    }

    private static Response nul(String field) {
        String message = "must not contain NUL characters";
        return Problem.response(400, "invalid-request", "Invalid request", field + " " + message,
                List.of(new FieldError(field, message)));
    }
}
