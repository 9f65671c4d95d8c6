package dev.longhaul.api.access;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Headers that keep served content inert. Every response says its type is not to be sniffed.
 * Artifacts (a report's HTML page, a CSV someone opens in a browser) also get a content security
 * policy that runs no script and loads nothing from elsewhere: a report is a document, and an
 * export's cells are customer data. The dashboard's pages get a policy that runs and loads only what
 * the api itself serves, and are never framed, cached or sent as a referrer elsewhere.
 */
public class SecurityHeaders {
    private static final Pattern ARTIFACT = Pattern.compile("/(api|ui)/jobs/[^/]+/artifacts/[^/]+");
    static final String ARTIFACT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";
    static final String DASHBOARD_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    @ServerResponseFilter
    public void harden(ContainerRequestContext request, ContainerResponseContext response) {
        response.getHeaders().putSingle("X-Content-Type-Options", "nosniff");
        String path = request.getUriInfo().getPath();
        if (ARTIFACT.matcher(path).matches()) {
            response.getHeaders().putSingle("Content-Security-Policy", ARTIFACT_POLICY);
        } else if (path.equals("/ui") || path.startsWith("/ui/")) {
            response.getHeaders().putSingle("Content-Security-Policy", DASHBOARD_POLICY);
            response.getHeaders().putSingle("Referrer-Policy", "same-origin");
            response.getHeaders().putSingle("Cache-Control", "no-store");
        }
    }
}
