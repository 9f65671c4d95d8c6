package dev.longhaul.api.job;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
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
        ObjectReader reader = mapper.readerFor(type)
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
