package dev.longhaul.core.mail;

import java.util.regex.Pattern;

/** What Longhaul takes for an email address: one {@code @}, no spaces, a dot in the domain. */
public final class Addresses {
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s.]+");

    private Addresses() {
    }

    public static boolean isEmail(String value) {
        return value != null && EMAIL.matcher(value).matches();
    }
}
