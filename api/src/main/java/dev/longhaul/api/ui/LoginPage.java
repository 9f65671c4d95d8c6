package dev.longhaul.api.ui;

import dev.longhaul.api.access.MissingRoleException;
import dev.longhaul.api.access.Requires;
import dev.longhaul.api.access.Role;
import dev.longhaul.api.access.Sessions;
import dev.longhaul.api.access.UiAccess;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.inject.Inject;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestForm;

/**
 * Signing in to the dashboard with an API key, and out. The session cookie is HttpOnly and
 * SameSite=Strict, scoped to {@code /ui}, and Secure when the page came over HTTPS.
 */
@Path("/ui")
@Produces(MediaType.TEXT_HTML)
public class LoginPage {
    @Inject
    @Location("ui/login.html")
    Template login;
    @Inject
    Sessions sessions;

    @GET
    @Path("/login")
    public String form() {
        return login.data("error", null).render();
    }

    @POST
    @Path("/login")
    public Response signIn(@RestForm("key") String key, @Context UriInfo uri) {
        Optional<Sessions.Started> started;
        try {
            started = sessions.signIn(key);
        } catch (MissingRoleException e) {
            return refused(Response.Status.FORBIDDEN, "This key lacks the 'read' role the dashboard needs.");
        }
        if (started.isEmpty()) {
            return refused(Response.Status.UNAUTHORIZED, "That API key is unknown or revoked.");
        }
        return Response.seeOther(URI.create("/ui/")).cookie(cookie(started.get().token(), uri,
                (int) sessions.lifetime().toSeconds())).build();
    }

    @POST
    @Path("/logout")
    @Requires(Role.READ)
    public Response signOut(@CookieParam(UiAccess.COOKIE) String token, @Context UriInfo uri) {
        sessions.end(token);
        return Response.seeOther(URI.create(UiAccess.LOGIN)).cookie(cookie("", uri, 0)).build();
    }

    private Response refused(Response.Status status, String why) {
        return Response.status(status).type(MediaType.TEXT_HTML).entity(login.data("error", why).render()).build();
    }

    private static NewCookie cookie(String value, UriInfo uri, int maxAge) {
        return new NewCookie.Builder(UiAccess.COOKIE).value(value).path("/ui").httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT).secure("https".equals(uri.getBaseUri().getScheme()))
                .maxAge(maxAge).build();
    }
}
