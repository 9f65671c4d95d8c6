package dev.longhaul.core.kind.builtin;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Datasets;
import dev.longhaul.core.dataset.Filter;
import dev.longhaul.core.kind.FieldError;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.kind.Kind;
import dev.longhaul.core.message.Lanes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * {@code export}: columns of a dataset, filtered, to a CSV or JSON-lines artifact, optionally
 * gzipped. Runs as one COPY per key-range chunk.
 */
@Singleton
public class ExportKind extends Kind<ExportKind.Params> {
    public static final String NAME = "export";

    public ExportKind() {
        super(NAME, Params.class, Lanes.BULK, 5, Duration.ofHours(6));
    }

    @Override
    public boolean partitionable() {
        return true;
    }

    public enum Format {
        @JsonProperty("csv") CSV,
        @JsonProperty("jsonl") JSONL
    }

    /**
     * @param columns the dataset's columns to write, in this order
     * @param filter  conditions {@code [{"field","op","value"}]}, all of which must hold
     * @param format  csv (default) or jsonl
     * @param gzip    compress the file (default false)
     * @param neutralizeFormulas for CSV: start every text cell that begins with {@code =}, {@code +},
     *                {@code -} or {@code @} with a {@code '}, so a spreadsheet shows it and does not
     *                run it as a formula (default false: the file holds the data as it is)
     */
    public record Params(@NotBlank String dataset, @NotEmpty @Size(max = 200) List<String> columns, JsonNode filter,
            Format format, Boolean gzip, Boolean neutralizeFormulas) {
        public boolean neutralized() {
            return Boolean.TRUE.equals(neutralizeFormulas);
        }

        public Format formatOrDefault() {
            return format == null ? Format.CSV : format;
        }

        public boolean gzipped() {
            return Boolean.TRUE.equals(gzip);
        }

        /** The artifact's file name, e.g. {@code orders.csv.gz}. */
        public String fileName() {
            return dataset + (formatOrDefault() == Format.CSV ? ".csv" : ".jsonl") + (gzipped() ? ".gz" : "");
        }

        public String contentType() {
            if (gzipped()) return "application/gzip";
            return formatOrDefault() == Format.CSV ? "text/csv; charset=utf-8" : "application/x-ndjson";
        }
    }

    @Inject
    Datasets datasets;

    @Override
    public void check(Params params) {
        Dataset dataset = datasets.require(params.dataset(), "dataset");
        List<FieldError> errors = new ArrayList<>();
        var seen = new HashSet<String>();
        for (int i = 0; i < params.columns().size(); i++) {
            String column = params.columns().get(i);
            if (dataset.column(column).isEmpty()) {
                errors.add(new FieldError("columns[" + i + "]", "'" + column + "' is not a column of dataset "
                        + dataset.name() + "; columns: " + dataset.columns().keySet()));
            } else if (!seen.add(column)) {
                errors.add(new FieldError("columns[" + i + "]", "'" + column + "' is listed twice"));
            }
        }
        try {
            Filter.parse(dataset, params.filter(), "filter");
        } catch (InvalidRequestException e) {
            errors.addAll(e.errors());
        }
        if (params.neutralized() && params.formatOrDefault() != Format.CSV) {
            errors.add(new FieldError("neutralizeFormulas", "applies to CSV exports only"));
        }
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
    }
}
