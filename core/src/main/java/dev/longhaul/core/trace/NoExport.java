package dev.longhaul.core.trace;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.quarkus.arc.lookup.LookupUnlessProperty;
import jakarta.inject.Singleton;
import java.util.Collection;

/**
 * Spans go nowhere unless an OTLP collector is named ({@code longhaul.tracing.otlp-endpoint},
 * {@code LONGHAUL_TRACING_OTLP_ENDPOINT}): while this exporter is the one in place, Quarkus installs
 * no OTLP exporter, so an app without a collector never tries to reach one. Traces still exist:
 * jobs keep their trace ids, and logs carry them.
 */
@Singleton
@LookupUnlessProperty(name = "longhaul.tracing.otlp-endpoint", stringValue = "", lookupIfMissing = true)
public class NoExport implements SpanExporter {

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
