package dev.longhaul.core.mail;

/** What Longhaul takes for an email address: one {@code @}, no spaces, a dot in the domain. */
public final class Addresses {
    private Addresses() {
    }

    /**
     * Something before one {@code @}, and after it a domain with a dot that neither starts it nor
     * ends it; no whitespace anywhere. Written out rather than a regular expression: an import
     * checks every row's address.
     */
    public static boolean isEmail(String value) {
        if (value == null) return false;
        int at = value.indexOf('@');
        if (at <= 0 || value.indexOf('@', at + 1) >= 0) return false;
        int dot = value.lastIndexOf('.');
        if (dot <= at + 1 || dot == value.length() - 1) return false;
        for (int i = 0; i < value.length(); i++) {
            switch (value.charAt(i)) {
                case ' ', '\t', '\n', '\u000B', '\f', '\r' -> {
                    return false;
                }
                default -> {
                }
            }
        }
        return true;
    }
}
