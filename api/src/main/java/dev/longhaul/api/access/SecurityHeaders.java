package dev.longhaul.api.access;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Headers that keep served content inert. Every response says its type is not to be sniffed.
 * Artifacts (a report's HTML page, a CSV someone opens in a browser) also get a content security
 * policy that runs no script and loads nothing from elsewhere: a report is a document, and an
 * export's cells are customer data.
 */
public class SecurityHeaders {
    private static final Pattern ARTIFACT = Pattern.compile("/api/jobs/[^/]+/artifacts/[^/]+");
    static final String ARTIFACT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

    @ServerResponseFilter
    public void harden(ContainerRequestContext request, ContainerResponseContext response) {
        response.getHeaders().putSingle("X-Content-Type-Options", "nosniff");
        if (ARTIFACT.matcher(request.getUriInfo().getPath()).matches()) {
            response.getHeaders().putSingle("Content-Security-Policy", ARTIFACT_POLICY);
        }
    }
}
