package dev.longhaul.api.access;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The role a route needs. {@link AccessFilters} checks it before the route runs; a route under
 * {@code /api} without this annotation needs {@link Role#ADMIN}, so a new route is closed until
 * someone opens it on purpose.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Requires {
    Role value();
}
