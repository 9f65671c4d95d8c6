package dev.longhaul.core.kind.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.dataset.Assignments;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Datasets;
import dev.longhaul.core.dataset.Filter;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.kind.Kind;
import dev.longhaul.core.message.Lanes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bulk-update}: sets columns of the rows of a dataset that match a filter, one set-based
 * UPDATE per key range, each in its own transaction with its checkpoint.
 */
@Singleton
public class BulkUpdateKind extends Kind<BulkUpdateKind.Params> {
    public static final String NAME = "bulk-update";

    public BulkUpdateKind() {
        super(NAME, Params.class, Lanes.BULK, 5, Duration.ofHours(6));
    }

    @Override
    public boolean partitionable() {
        return true;
    }

    /**
     * @param filter           which rows, as for export; all rows when absent
     * @param set              {@code {column: value}}: settable columns and typed values
     * @param dryRun           count the matching rows and change nothing
     * @param maxRowsPerSecond at most this many matching rows per second
     * @param chunkTargetMs    how long one chunk's transaction should take (default 500)
     */
    public record Params(@NotBlank String dataset, JsonNode filter, JsonNode set, Boolean dryRun,
            @Min(1) @Max(10_000_000) Integer maxRowsPerSecond, @Min(20) @Max(10_000) Integer chunkTargetMs) {
        public boolean dry() {
            return Boolean.TRUE.equals(dryRun);
        }
    }

    @Inject
    Datasets datasets;

    @Override
    public void check(Params params) {
        Dataset dataset = datasets.require(params.dataset(), "dataset");
        List<FieldError> errors = new ArrayList<>();
        try {
            Filter.parse(dataset, params.filter(), "filter");
        } catch (InvalidRequestException e) {
            errors.addAll(e.errors());
        }
        try {
            Assignments.parse(dataset, params.set(), "set");
        } catch (InvalidRequestException e) {
            errors.addAll(e.errors());
        }
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
    }
}
