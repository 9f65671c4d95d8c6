-- Fairness across tenants: a claim in a lane where several tenants wait walks the lane's waiting
-- tenants (a loose index scan: one probe per tenant) and takes each one's head jobs by priority,
-- then age, in turn; the same index answers "does more than one tenant wait?" with two probes.
CREATE INDEX job_queued_tenant_idx ON job (queue, tenant, priority DESC, id) WHERE state = 'QUEUED';
