package dev.longhaul.worker.kinds.seed;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.SplittableRandom;

/**
 * Demo shop rows as CSV for COPY. Every row is a pure function of its id and the anchor instant,
 * so a seed that resumes after a crash writes the very rows it would have written anyway. Data is
 * spread over the two years before the anchor; notes include commas, quotes, newlines and
 * non-ASCII text, to exercise CSV quoting end to end.
 */
final class ShopData {
    private static final String[] FIRST = {"Ada", "Bruno", "Chloé", "Dmitri", "Eva", "Farid", "Grace", "Hiro",
            "Ines", "Jonas", "Kemal", "Lena", "Mateo", "Nora", "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tara",
            "Umar", "Vera", "Wen", "Xavier", "Yara", "Zoltan"};
    private static final String[] LAST = {"Andersen", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "García",
            "Hansen", "Ito", "Jansen", "Kowalski", "López", "Müller", "Novak", "O'Brien", "Petrov", "Rossi",
            "Schmidt", "Tanaka", "Visser", "Weber", "Young", "Zhang"};
    private static final String[] DOMAINS = {"example.com", "example.org", "example.net", "mail.test"};
    /** Countries, weighted by repetition. */
    private static final String[] COUNTRIES = {"US", "US", "US", "US", "DE", "DE", "GB", "GB", "FR", "FR", "NL",
            "ES", "IT", "SE", "PL", "CA", "AU", "JP", "BR", "IN"};
    private static final String[] STATUSES = {"pending", "paid", "shipped", "cancelled", "refunded"};
    private static final int[] STATUS_WEIGHTS = {5, 30, 55, 6, 4};
    private static final String[] NOTES = {"gift wrap, please", "leave at the \"back\" door", "call before delivery",
            "fragile:\nhandle with care", "Geschenk für Oma", "deliver after 6pm; ring twice", "no plastic, thanks",
            "urgent – needed by Friday"};
    private static final long TWO_YEARS_SECONDS = 2L * 365 * 24 * 3600;
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssxxx").withZone(ZoneOffset.UTC);

    private ShopData() {
    }

    static String country(long customerId) {
        return COUNTRIES[new SplittableRandom(mix(customerId, 11)).nextInt(COUNTRIES.length)];
    }

    static String currency(String country) {
        return switch (country) {
            case "US" -> "USD";
            case "GB" -> "GBP";
            case "SE" -> "SEK";
            case "PL" -> "PLN";
            case "CA" -> "CAD";
            case "AU" -> "AUD";
            case "JP" -> "JPY";
            case "BR" -> "BRL";
            case "IN" -> "INR";
            default -> "EUR";
        };
    }

    /** id,email,name,country,created_at,status */
    static void customer(long id, Instant anchor, StringBuilder out) {
        SplittableRandom r = new SplittableRandom(mix(id, 7));
        String first = FIRST[r.nextInt(FIRST.length)];
        String last = LAST[r.nextInt(LAST.length)];
        String email = (first + "." + last).toLowerCase().replace("'", "") + "." + id + "@" + DOMAINS[r.nextInt(DOMAINS.length)];
        int s = r.nextInt(100);
        String status = s < 90 ? "active" : s < 98 ? "inactive" : "blocked";
        out.append(id).append(',');
        quote(email, out).append(',');
        quote(first + " " + last, out).append(',');
        out.append(country(id)).append(',');
        out.append(TS.format(anchor.minusSeconds(r.nextLong(TWO_YEARS_SECONDS)))).append(',');
        out.append(status).append('\n');
    }

    /** id,customer_id,created_at,status,total_cents,currency,note */
    static void order(long id, long customers, Instant anchor, StringBuilder out) {
        SplittableRandom r = new SplittableRandom(mix(id, 13));
        // a few customers order a lot: square a uniform draw to skew towards low ids
        double u = r.nextDouble();
        long customer = 1 + (long) (u * u * customers);
        int pick = r.nextInt(100);
        int status = 0;
        for (int acc = STATUS_WEIGHTS[0]; pick >= acc; acc += STATUS_WEIGHTS[++status]) {
            // walk the weights
        }
        long cents = 199 + (long) Math.exp(r.nextDouble() * 10.5);
        out.append(id).append(',').append(customer).append(',');
        out.append(TS.format(anchor.minusSeconds(r.nextLong(TWO_YEARS_SECONDS)))).append(',');
        out.append(STATUSES[status]).append(',').append(cents).append(',');
        out.append(currency(country(customer))).append(',');
        if (r.nextInt(100) < 25) quote(NOTES[r.nextInt(NOTES.length)], out);
        out.append('\n');
    }

    private static StringBuilder quote(String value, StringBuilder out) {
        return out.append('"').append(value.replace("\"", "\"\"")).append('"');
    }

    private static long mix(long id, long salt) {
        long z = id * 0x9E3779B97F4A7C15L + salt;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 31);
    }
}
