package dev.longhaul.api.job;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.kind.Kinds;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Reads a JSON request body with a size limit, strictly: unknown fields and wrong types are
 * errors that name the field, and malformed JSON names its line and column.
 */
@ApplicationScoped
public class RequestReader {
    @Inject
    ObjectMapper mapper;
    @Inject
    ApiConfig config;

    public <T> T read(InputStream body, Class<T> type) {
        byte[] bytes = readLimited(body, config.maxBodyBytes());
        if (bytes.length == 0) {
            throw new InvalidRequestException("body", "is empty: expected a JSON object");
        }
        refuseNul(bytes);
        // a name given twice ({"kind":"noop","kind":"seed"}) is refused, not settled by the last one
        ObjectReader reader = mapper.readerFor(type)
                .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        try {
            return reader.readValue(bytes);
        } catch (JsonParseException e) {
            var location = e.getLocation();
            throw new InvalidRequestException("body", "is not valid JSON at line " + location.getLineNr()
                    + ", column " + location.getColumnNr() + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            FieldError error = Kinds.describe(e);
            throw new InvalidRequestException(List.of(error.field().isEmpty()
                    ? new FieldError("body", error.message()) : error));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A NUL character (U+0000, escaped in JSON) in any string or name of the body is refused, naming
     * where it is: PostgreSQL's text and jsonb cannot store one, so the job could never run.
     */
    private void refuseNul(byte[] bytes) {
        if (!containsNulEscape(bytes)) return;
        try {
            String at = nulPath(mapper.readTree(bytes), "");
            if (at != null) throw new InvalidRequestException(at.isEmpty() ? "body" : at, "must not contain NUL characters (\\u0000)");
        } catch (IOException e) {
            // not JSON: the strict read below names the problem
        }
    }

    private static boolean containsNulEscape(byte[] b) {
        for (int i = 0; i + 5 < b.length; i++) {
            if (b[i] == '\\' && (b[i + 1] == 'u' || b[i + 1] == 'U') && b[i + 2] == '0' && b[i + 3] == '0'
                    && b[i + 4] == '0' && b[i + 5] == '0') {
                return true;
            }
        }
        return false;
    }

    /** The path of the first string or field name holding a NUL, or null. */
    private static String nulPath(JsonNode node, String at) {
        if (node.isTextual()) return node.textValue().indexOf('\0') >= 0 ? at : null;
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = nulPath(node.get(i), at + "[" + i + "]");
                if (found != null) return found;
            }
        }
        if (node.isObject()) {
            var fields = node.fields();
            while (fields.hasNext()) {
                var field = fields.next();
                String path = at.isEmpty() ? field.getKey() : at + "." + field.getKey();
                if (field.getKey().indexOf('\0') >= 0) return path.replace("\0", "\\u0000");
                String found = nulPath(field.getValue(), path);
                if (found != null) return found;
            }
        }
        return null;
    }

    static byte[] readLimited(InputStream in, int limit) {
        try {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new BodyTooLargeException(limit);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
