package dev.longhaul.core.kind.builtin;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.longhaul.core.artifact.UploadInfo;
import dev.longhaul.core.artifact.UploadStore;
import dev.longhaul.core.dataset.Column;
import dev.longhaul.core.dataset.Dataset;
import dev.longhaul.core.dataset.Datasets;
import dev.longhaul.core.kind.InvalidRequestException;
import dev.longhaul.core.kind.Kind;
import dev.longhaul.core.message.Lanes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.UUID;

/**
 * {@code import}: the rows of an uploaded CSV into a dataset's table. The header names the
 * columns; bad rows are rejected with their line and reason while the good ones go in.
 */
@Singleton
public class ImportKind extends Kind<ImportKind.Params> {
    public static final String NAME = "import";

    public ImportKind() {
        super(NAME, Params.class, Lanes.BULK, 5, Duration.ofHours(6));
    }

    public enum Mode {
        /** New rows only: a row whose key exists already is rejected. */
        @JsonProperty("insert") INSERT,
        /** New rows are inserted, rows whose key exists are updated. */
        @JsonProperty("upsert") UPSERT
    }

    public enum OnError {
        /**
         * Import the good rows, reject the bad ones, up to {@code maxErrors}. The file goes in one
         * range of lines at a time, each checked and committed on its own: one rejection more than
         * {@code maxErrors} stops the import at the range that passes the limit, and the ranges
         * committed before it stay.
         */
        @JsonProperty("skip") SKIP,
        /**
         * Import nothing if any row fails the checks (types, required, lengths, formats), which all
         * run before the first row is merged. A row the database itself refuses while merging (a
         * foreign key, a CHECK, an existing key on insert) stops the import there; the rows merged
         * before it stay.
         */
        @JsonProperty("fail") FAIL
    }

    /**
     * @param upload    the id from {@code POST /api/uploads}
     * @param onError   default skip
     * @param maxErrors with skip, the most rows that may be rejected; one more stops the import there (default 1000)
     * @param key       the column rows are matched on: the dataset's key or a unique column
     *                  (default: its first unique column, else its key)
     */
    public record Params(@NotBlank String dataset, @NotNull UUID upload, @NotNull Mode mode, OnError onError,
            @Min(0) @Max(10_000_000) Integer maxErrors, String key) {
        public OnError onErrorOrDefault() {
            return onError == null ? OnError.SKIP : onError;
        }

        public int maxErrorsOrDefault() {
            return maxErrors == null ? 1000 : maxErrors;
        }

        /** The column rows are matched on. */
        public Column keyColumn(Dataset dataset) {
            String name = key != null ? key
                    : !dataset.unique().isEmpty() ? dataset.unique().getFirst() : dataset.key().getFirst().name();
            return dataset.column(name).orElseThrow(() -> new InvalidRequestException("key",
                    "'" + name + "' is not a column of dataset " + dataset.name()));
        }
    }

    @Inject
    Datasets datasets;
    @Inject
    UploadStore uploads;

    @Override
    public void check(Params params) {
        Dataset dataset = datasets.require(params.dataset(), "dataset");
        Column key = params.keyColumn(dataset);
        boolean isKey = dataset.key().size() == 1 && dataset.key().getFirst().equals(key);
        if (!isKey && !dataset.unique().contains(key.name())) {
            throw new InvalidRequestException("key", "'" + key.name() + "' is neither the key nor a unique column of dataset "
                    + dataset.name() + "; unique: " + dataset.unique());
        }
        if (!dataset.own(key)) {
            throw new InvalidRequestException("key", "'" + key.name() + "' is not a column of " + dataset.table());
        }
        UploadInfo upload = uploads.find(params.upload()).filter(UploadInfo::complete).orElseThrow(() ->
                new InvalidRequestException("upload", "no upload " + params.upload() + "; send the file to POST /api/uploads first"));
        if (upload.size() == 0) throw new InvalidRequestException("upload", "is empty");
    }
}
