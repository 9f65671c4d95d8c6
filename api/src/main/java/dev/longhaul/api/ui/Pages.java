package dev.longhaul.api.ui;

import dev.longhaul.api.access.Caller;
import dev.longhaul.api.access.Role;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/**
 * What every dashboard page shows around its content: who is signed in, which pages the key may
 * open, and the CSRF token for its forms (sign-out included).
 */
@RequestScoped
public class Pages {
    /**
     * The signed-in key as the page sees it.
     *
     * @param mayOperate cancel, retry, run schedules: the {@code operate} role
     * @param admin      every tenant, and the workers page
     */
    public record Me(String keyName, String tenant, boolean mayOperate, boolean admin, String csrf) {
    }

    @Inject
    Caller caller;

    /** {@code template} with the signed-in key, and {@code nav} naming the page in the menu. */
    public TemplateInstance page(Template template, String nav) {
        return template.data("me", me()).data("nav", nav);
    }

    public Me me() {
        return new Me(caller.keyName(), caller.tenant(), caller.has(Role.OPERATE), caller.has(Role.ADMIN), caller.csrf());
    }
}
