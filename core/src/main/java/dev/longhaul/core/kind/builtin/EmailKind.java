package dev.longhaul.core.kind.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Datasets;
import dev.longhaul.core.dataset.Filter;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.kind.Kind;
import dev.longhaul.core.mail.RowTemplate;
import dev.longhaul.core.message.Lanes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code email}: one email to each row of a segment of a dataset, its subject and body Qute
 * templates filled from the row, sent at most {@code ratePerSecond}. Each row is mailed at most
 * once, across retries and crashes.
 */
@Singleton
public class EmailKind extends Kind<EmailKind.Params> {
    public static final String NAME = "email";

    public EmailKind() {
        super(NAME, Params.class, Lanes.EMAIL, 5, Duration.ofHours(24));
    }

    @Override
    public boolean partitionable() {
        return true;
    }

    /** @param filter as for export; the whole dataset when absent */
    public record Segment(@NotBlank String dataset, JsonNode filter) {
    }

    public record Template(@NotBlank @Size(max = 998) String subject, @NotBlank @Size(max = 100_000) String body) {
    }

    /**
     * @param to        the column holding the address (default {@code email})
     * @param maxErrors how many recipients may fail before the campaign stops (default 100)
     */
    public record Params(@NotNull @Valid Segment segment, @NotNull @Valid Template template,
            @NotNull @Min(1) @Max(1000) Integer ratePerSecond, String to, @Min(0) @Max(1_000_000) Integer maxErrors) {
        public String toOrDefault() {
            return to == null ? "email" : to;
        }

        public int maxErrorsOrDefault() {
            return maxErrors == null ? 100 : maxErrors;
        }
    }

    @Inject
    Datasets datasets;

    @Override
    public void check(Params params) {
        Dataset dataset = datasets.require(params.segment().dataset(), "segment.dataset");
        List<FieldError> errors = new ArrayList<>();
        try {
            Filter.parse(dataset, params.segment().filter(), "segment.filter");
        } catch (InvalidRequestException e) {
            errors.addAll(e.errors());
        }
        if (dataset.column(params.toOrDefault()).isEmpty()) {
            errors.add(new FieldError("to", "'" + params.toOrDefault() + "' is not a column of dataset " + dataset.name()
                    + "; name the column that holds the address"));
        }
        for (String part : List.of("subject", "body")) {
            try {
                RowTemplate.parse(dataset, part.equals("subject") ? params.template().subject() : params.template().body(),
                        "template." + part);
            } catch (InvalidRequestException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
    }
}
