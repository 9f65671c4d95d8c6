-- The W3C traceparent of the span that made the job (an HTTP submit, a schedule's fire): the
-- worker that runs it continues that trace, and the API shows its trace id.
ALTER TABLE job ADD COLUMN trace_parent text CHECK (trace_parent ~ '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');
