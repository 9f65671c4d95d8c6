package dev.longhaul.core.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import java.util.regex.Pattern;

/**
 * A job's place in a trace, kept as a W3C {@code traceparent} ({@code 00-<trace>-<span>-<flags>}):
 * stored with the job at submit, sent in its message's headers, and taken up again by the worker
 * that runs it, so one trace goes from the HTTP submit through RabbitMQ to every chunk.
 */
public final class Traces {
    /** The header of a job message that carries its traceparent. */
    public static final String HEADER = "traceparent";
    private static final Pattern PARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

    private Traces() {
    }

    /** The current span as a traceparent, or null outside any (sampled or not) valid span. */
    public static String currentParent() {
        SpanContext span = Span.current().getSpanContext();
        if (!span.isValid()) return null;
        return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex();
    }

    /** The trace id of a traceparent, or null. */
    public static String traceId(String traceParent) {
        var m = traceParent == null ? null : PARENT.matcher(traceParent);
        return m != null && m.matches() ? m.group(1) : null;
    }

    /** A context whose parent is the (remote) span of {@code traceParent}; the root context if there is none. */
    public static Context context(String traceParent) {
        var m = traceParent == null ? null : PARENT.matcher(traceParent);
        if (m == null || !m.matches()) return Context.root();
        SpanContext remote = SpanContext.createFromRemoteParent(m.group(1), m.group(2),
                TraceFlags.fromHex(m.group(3), 0), TraceState.getDefault());
        return remote.isValid() ? Context.root().with(Span.wrap(remote)) : Context.root();
    }
}
