package dev.longhaul.api;

/**
 * The example bodies of the OpenAPI document ({@code /q/openapi}), as compile-time constants for
 * the resources' {@code @ExampleObject}s. They are what the API really sends and accepts; keep
 * them in step with the records they show.
 */
public final class ApiExamples {
    private ApiExamples() {
    }

    // requests

    public static final String SUBMIT_SLEEP = """
            {"kind": "sleep", "params": {"seconds": 3}}""";

    public static final String SUBMIT_EXPORT = """
            {"kind": "export",
             "params": {"dataset": "orders", "columns": ["id", "created_at", "total_cents", "customer_email"],
                        "filter": [{"field": "status", "op": "=", "value": "paid"}], "format": "csv", "gzip": false}}""";

    public static final String SUBMIT_LATER = """
            {"kind": "noop", "queue": "default", "priority": 5, "runAt": "2030-01-01T00:00:00Z",
             "maxAttempts": 3, "timeoutSeconds": 600}""";

    public static final String SUBMIT_BATCH = """
            {"jobs": [{"kind": "noop"}, {"kind": "sleep", "params": {"seconds": 1}}]}""";

    public static final String SCHEDULE_REQUEST = """
            {"name": "weekly-top-customers", "cron": "0 0 6 ? * MON", "timezone": "Europe/Paris",
             "job": {"kind": "report", "params": {"report": "top-customers", "period": "previous-week", "limit": 50}},
             "misfire": "fireOnce", "overlap": "skip", "enabled": true}""";

    public static final String UPLOAD_CSV = """
            email,name,country
            ann@example.com,Ann Smith,DE
            bo@example.com,Bo Li,FR
            """;

    public static final String KEY_REQUEST = """
            {"name": "nightly exports", "tenant": "acme", "roles": ["submit", "read"], "kinds": ["export", "report"]}""";

    // responses

    public static final String JOB_QUEUED = """
            {"id": "01a1f2c4-7e10-7b3a-9c55-3f8e2d1a6b40", "kind": "sleep", "queue": "default", "priority": 0,
             "state": "QUEUED", "params": {"seconds": 3}, "attempt": 0, "maxAttempts": 5, "timeoutSeconds": null,
             "runAt": "2026-11-21T09:30:00.120512Z", "createdAt": "2026-11-21T09:30:00.120512Z",
             "startedAt": null, "finishedAt": null, "cancelRequested": false,
             "progress": {"done": 0, "total": null, "unit": null, "ratePerSecond": null, "etaSeconds": null},
             "result": null, "error": null, "artifacts": [], "scheduleId": null, "scheduledFor": null,
             "tenant": "acme", "submittedBy": "01a1e8b0-2f4d-7c11-8e0a-5b7d9c3e2f18",
             "traceId": "4bf92f3577b34da6a3ce929d0e0e4736"}""";

    public static final String JOB_SUCCEEDED = """
            {"id": "01a1f2d0-13aa-7f02-b6c1-8d4e7a9b0c25", "kind": "export", "queue": "bulk", "priority": 0,
             "state": "SUCCEEDED",
             "params": {"dataset": "orders", "columns": ["id", "created_at", "total_cents", "customer_email"],
                        "filter": [{"field": "status", "op": "=", "value": "paid"}], "format": "csv", "gzip": false},
             "attempt": 1, "maxAttempts": 5, "timeoutSeconds": null,
             "runAt": "2026-11-21T09:31:02.004117Z", "createdAt": "2026-11-21T09:31:02.004117Z",
             "startedAt": "2026-11-21T09:31:02.210344Z", "finishedAt": "2026-11-21T09:31:19.877901Z",
             "cancelRequested": false,
             "progress": {"done": 182440, "total": 182440, "unit": "rows", "ratePerSecond": 10412.5, "etaSeconds": 0},
             "result": {"rows": 182440, "bytes": 9120554,
                        "sha256": "3f2b8c1d9e0a7f6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b", "artifact": "orders.csv"},
             "error": null,
             "artifacts": [{"name": "orders.csv", "size": 9120554,
                            "sha256": "3f2b8c1d9e0a7f6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b",
                            "contentType": "text/csv; charset=utf-8",
                            "url": "/api/jobs/01a1f2d0-13aa-7f02-b6c1-8d4e7a9b0c25/artifacts/orders.csv"}],
             "scheduleId": null, "scheduledFor": null, "tenant": "acme",
             "submittedBy": "01a1e8b0-2f4d-7c11-8e0a-5b7d9c3e2f18",
             "traceId": "4bf92f3577b34da6a3ce929d0e0e4736"}""";

    public static final String JOB_CANCELLED = """
            {"id": "01a1f2c4-7e10-7b3a-9c55-3f8e2d1a6b40", "kind": "sleep", "queue": "default", "priority": 0,
             "state": "CANCELLED", "params": {"seconds": 3}, "attempt": 0, "maxAttempts": 5, "timeoutSeconds": null,
             "runAt": "2026-11-21T09:30:00.120512Z", "createdAt": "2026-11-21T09:30:00.120512Z",
             "startedAt": null, "finishedAt": "2026-11-21T09:30:01.935860Z", "cancelRequested": false,
             "progress": {"done": 0, "total": null, "unit": null, "ratePerSecond": null, "etaSeconds": null},
             "result": null, "error": null, "artifacts": [], "scheduleId": null, "scheduledFor": null,
             "tenant": "acme", "submittedBy": "01a1e8b0-2f4d-7c11-8e0a-5b7d9c3e2f18",
             "traceId": "4bf92f3577b34da6a3ce929d0e0e4736"}""";

    public static final String JOB_PAGE = "{\"items\": [" + JOB_SUCCEEDED + "],\n \"next\": \"01a1f2d0-13aa-7f02-b6c1-8d4e7a9b0c25\"}";

    public static final String JOB_BATCH = "{\"jobs\": [" + JOB_QUEUED + "]}";

    public static final String JOB_EVENTS = """
            [{"at": "2026-11-21T09:30:00.402211Z", "type": "claimed", "attempt": 1, "worker": "worker-1:4242", "detail": null},
             {"at": "2026-11-21T09:30:01.118034Z", "type": "retrying", "attempt": 1, "worker": "worker-1:4242",
              "detail": "SocketTimeoutException: Read timed out"},
             {"at": "2026-11-21T09:30:04.530917Z", "type": "claimed", "attempt": 2, "worker": "worker-2:3117", "detail": null},
             {"at": "2026-11-21T09:30:07.561220Z", "type": "succeeded", "attempt": 2, "worker": "worker-2:3117", "detail": null}]""";

    public static final String SCHEDULE_VIEW = """
            {"id": "01a1f300-5c2e-7d41-a0b9-2e6f8c4d1a37", "name": "weekly-top-customers", "cron": "0 0 6 ? * MON",
             "timezone": "Europe/Paris",
             "job": {"kind": "report", "params": {"report": "top-customers", "period": "previous-week", "limit": 50},
                     "queue": null},
             "misfire": "fireOnce", "overlap": "skip", "enabled": true,
             "nextFireTimes": ["2026-11-23T05:00:00Z", "2026-11-30T05:00:00Z", "2026-12-07T05:00:00Z",
                               "2026-12-14T05:00:00Z", "2026-12-21T05:00:00Z"],
             "lastRun": {"scheduledFor": "2026-11-16T05:00:00Z", "outcome": "created",
                         "jobId": "01a1d9e2-0b4f-7a65-9d13-c7e2f5a8b6d0", "at": "2026-11-16T05:00:00.031872Z",
                         "catchUp": false, "manual": false},
             "createdAt": "2026-11-02T14:12:45.914223Z", "updatedAt": "2026-11-02T14:12:45.914223Z",
             "tenant": "acme", "error": null}""";

    public static final String UPLOAD_VIEW = """
            {"id": "01a1f2b8-90d3-7e5c-8f21-4a6b0c9d3e57", "name": "customers.csv", "size": 72,
             "sha256": "9a4c6e8f0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a",
             "createdAt": "2026-11-21T09:28:41.660153Z"}""";

    public static final String CREATED_KEY = """
            {"id": "01a1f1aa-3b5c-7d6e-9f80-1a2b3c4d5e6f", "key": "lh_9sn679a5_LtrWVkT-abnwsctE1HjRrzX5h9cG-zKtZERzBcMjHSA",
             "name": "nightly exports", "tenant": "acme", "roles": ["read", "submit"], "kinds": ["export", "report"],
             "datasets": null, "prefix": "lh_9sn679a5", "createdAt": "2026-11-21T08:00:12.070157Z"}""";

    public static final String KEY_LIST = """
            [{"id": "01a1f1aa-3b5c-7d6e-9f80-1a2b3c4d5e6f", "name": "nightly exports", "tenant": "acme",
              "roles": ["read", "submit"], "kinds": ["export", "report"], "datasets": null, "prefix": "lh_9sn679a5",
              "createdAt": "2026-11-21T08:00:12.070157Z", "revokedAt": null}]""";

    public static final String AUDIT_PAGE = """
            {"items": [{"id": 246, "at": "2026-11-21T09:30:01.124451Z", "tenant": "acme",
                        "keyId": "01a1f1aa-3b5c-7d6e-9f80-1a2b3c4d5e6f", "action": "POST /api/jobs/{id}/cancel",
                        "target": "01a1f2c4-7e10-7b3a-9c55-3f8e2d1a6b40", "outcome": 403},
                       {"id": 245, "at": "2026-11-21T09:30:00.130011Z", "tenant": "acme",
                        "keyId": "01a1f1aa-3b5c-7d6e-9f80-1a2b3c4d5e6f", "action": "POST /api/jobs",
                        "target": "01a1f2c4-7e10-7b3a-9c55-3f8e2d1a6b40", "outcome": 202}],
             "next": "245"}""";

    public static final String WORKERS = """
            [{"id": "worker-1:4242", "host": "worker-1", "pid": 4242, "startedAt": "2026-11-21T06:00:03.512004Z",
              "lastSeen": "2026-11-21T09:30:05.000311Z", "concurrency": 8, "running": 1, "draining": false,
              "runningJobs": ["01a1f2d0-13aa-7f02-b6c1-8d4e7a9b0c25"]}]""";

    // problems (application/problem+json)

    public static final String PROBLEM_INVALID = """
            {"type": "urn:longhaul:problem:invalid-request", "title": "Invalid request", "status": 400,
             "detail": "params.seconds: must be less than or equal to 86400",
             "errors": [{"field": "params.seconds", "message": "must be less than or equal to 86400"}]}""";

    public static final String PROBLEM_UNAUTHENTICATED = """
            {"type": "urn:longhaul:problem:unauthenticated", "title": "Authentication required", "status": 401,
             "detail": "send an API key as 'Authorization: Bearer <key>'",
             "errors": [{"field": "Authorization", "message": "send an API key as 'Authorization: Bearer <key>'"}]}""";

    public static final String PROBLEM_FORBIDDEN = """
            {"type": "urn:longhaul:problem:forbidden", "title": "Not allowed", "status": 403,
             "detail": "this key lacks the 'operate' role",
             "errors": [{"field": "role", "message": "this key lacks the 'operate' role"}]}""";

    public static final String PROBLEM_JOB_NOT_FOUND = """
            {"type": "urn:longhaul:problem:job-not-found", "title": "Job not found", "status": 404,
             "detail": "no job with id 01a1f2c4-7e10-7b3a-9c55-3f8e2d1a6b40",
             "errors": [{"field": "id", "message": "no job with id 01a1f2c4-7e10-7b3a-9c55-3f8e2d1a6b40"}]}""";

    public static final String PROBLEM_NOT_FOUND = """
            {"type": "urn:longhaul:problem:http-404", "title": "Not Found", "status": 404, "detail": "Not Found"}""";

    public static final String PROBLEM_IDEMPOTENCY_CONFLICT = """
            {"type": "urn:longhaul:problem:idempotency-conflict", "title": "Idempotency key reused", "status": 409,
             "detail": "Idempotency-Key 'nightly-2026-11-21' was already used for job \
            01a1f2c4-7e10-7b3a-9c55-3f8e2d1a6b40 with a different request; use a new key for a new job",
             "errors": [{"field": "Idempotency-Key", "message": "Idempotency-Key 'nightly-2026-11-21' was already used \
            for job 01a1f2c4-7e10-7b3a-9c55-3f8e2d1a6b40 with a different request; use a new key for a new job"}]}""";

    public static final String PROBLEM_ILLEGAL_TRANSITION = """
            {"type": "urn:longhaul:problem:illegal-transition", "title": "Not possible in this state", "status": 409,
             "detail": "cannot retry a job that is QUEUED",
             "errors": [{"field": "state", "message": "cannot retry a job that is QUEUED"}]}""";

    public static final String PROBLEM_BODY_TOO_LARGE = """
            {"type": "urn:longhaul:problem:body-too-large", "title": "Request body too large", "status": 413,
             "detail": "the request body is larger than the limit of 1048576 bytes",
             "errors": [{"field": "body", "message": "the request body is larger than the limit of 1048576 bytes"}]}""";

    public static final String PROBLEM_UNSUPPORTED_MEDIA_TYPE = """
            {"type": "urn:longhaul:problem:http-415", "title": "Unsupported Media Type", "status": 415,
             "detail": "Unsupported Media Type"}""";

    public static final String PROBLEM_UPLOAD_TOO_LARGE = """
            {"type": "urn:longhaul:problem:upload-too-large", "title": "Upload too large", "status": 413,
             "detail": "is larger than the limit of 1073741824 bytes",
             "errors": [{"field": "body", "message": "is larger than the limit of 1073741824 bytes"}]}""";

    public static final String PROBLEM_UPLOAD_NOT_CSV = """
            {"type": "urn:longhaul:problem:upload-not-csv", "title": "Upload is not CSV", "status": 415,
             "detail": "Content-Type 'application/json' is not accepted: send the file as text/csv",
             "errors": [{"field": "Content-Type",
                         "message": "Content-Type 'application/json' is not accepted: send the file as text/csv"}]}""";
}
