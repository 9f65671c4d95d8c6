package dev.longhaul.worker.trace;

import static dev.longhaul.worker.TestSql.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.longhaul.core.dispatch.JobPublisher;
import dev.longhaul.core.dispatch.JobRef;
import dev.longhaul.core.job.Job;
import dev.longhaul.core.job.JobSpec;
import dev.longhaul.core.job.JobState;
import dev.longhaul.core.job.JobStore;
import io.agroal.api.AgroalDataSource;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A job continues the trace of the span that made it: the worker's slice is a child of the
 * submitting span (carried in the job row and its message), each chunk a child of the slice, and
 * the worker's log lines about the job carry the trace id.
 */
@QuarkusTest
class TracingTest {
    @Inject
    Tracer tracer;
    @Inject
    CollectedSpans spans;
    @Inject
    JobStore store;
    @Inject
    JobPublisher publisher;
    @Inject
    AgroalDataSource db;
    @Inject
    ObjectMapper mapper;
    @Inject
    Clock clock;

    @Test
    void theSliceAndItsChunksContinueTheSubmittersTrace() throws Exception {
        sql(db, "delete from shop.customers where id between 7200001 and 7200300");
        sql(db, """
                insert into shop.customers (id, email, name, country, created_at, status)
                select 7200000 + g, 'traced' || g || '@example.com', 'Traced ' || g, 'DE', now(), 'active'
                from generate_series(1, 300) g""");
        Span submit = tracer.spanBuilder("test submit").setNoParent().startSpan();
        Job job;
        try (Scope ignored = submit.makeCurrent()) {
            job = Job.submit(new JobSpec("export", mapper.readTree("""
                    {"dataset":"customers","columns":["id","email"],
                     "filter":[{"field":"id","op":"between","value":[7200001,7200300]}]}"""), "bulk", 0, null, 1, null, null), clock);
        } finally {
            submit.end();
        }
        String traceId = submit.getSpanContext().getTraceId();
        assertThat(job.traceId()).isEqualTo(traceId);
        Job submitted = job;
        QuarkusTransaction.requiringNew().run(() -> store.insert(submitted));
        publisher.publish(List.of(new JobRef(job.id(), "bulk", job.traceParent())));
        await().atMost(Duration.ofSeconds(60)).until(() -> state(submitted) == JobState.SUCCEEDED);

        await("the slice's spans exported").atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            List<SpanData> trace = spans.of(traceId);
            SpanData slice = trace.stream().filter(s -> s.getName().equals("job export")).findFirst().orElseThrow();
            assertThat(slice.getParentSpanId()).isEqualTo(submit.getSpanContext().getSpanId());
            assertThat(slice.getAttributes().asMap().toString()).contains(job.id().toString());
            List<SpanData> chunks = trace.stream().filter(s -> s.getName().equals("chunk")).toList();
            assertThat(chunks).isNotEmpty().allSatisfy(c -> assertThat(c.getParentSpanId()).isEqualTo(slice.getSpanId()));
            assertThat(chunks.stream().mapToLong(c -> c.getAttributes().asMap().entrySet().stream()
                    .filter(e -> e.getKey().getKey().equals("longhaul.chunk.rows"))
                    .mapToLong(e -> (Long) e.getValue()).sum()).sum()).isEqualTo(300);
        });
        // the worker's log names the job and its trace on the same line
        assertThat(Files.readAllLines(Path.of("target/worker-test.log")))
                .anySatisfy(line -> assertThat(line).contains(job.id().toString()).contains(traceId));
    }

    private JobState state(Job job) {
        return QuarkusTransaction.requiringNew().call(() -> store.find(job.id()).orElseThrow().state());
    }
}
