-- pgbench script (run with -M prepared): the SQL POST /api/v1/dids/{id}/assign sends, statement for statement. Each
-- \startpipeline ... \endpipeline block is one round trip, as Npgsql sends a batch (Parse/Bind/Execute per statement,
-- one Sync), BEGIN and COMMIT inside them as the handler sends them; statements are prepared once per connection, as
-- Npgsql's auto-prepare does. Source: AssignDid.Handler (LockNumber for a USER target, WriteRoute for a new route; the
-- service binds the audit action and before as parameters, here they are the values a new route gives them). The token's
-- security stamp comes from memory (SecurityStamps), so it costs no query. Variables: :n picks the number (the seed
-- makes its id from n), :tenant is its tenant, :admin the caller, :uid the user routed to. The handler stamps the route,
-- the number and the audit row with the clock_timestamp() its lock's SELECT read; pgbench cannot carry a value from
-- one pipeline to the next, so the write reads clock_timestamp() in place.
\startpipeline
BEGIN;
SELECT locked.*, clock_timestamp() AS now FROM (SELECT p.id, p.number, p.status, p.tenant_id, t.slug, 'USER ' || u.email || coalesce(' (' || u.extension || ')', '') AS target_label, u.extension IS NOT NULL AS target_ringable FROM phone_numbers p LEFT JOIN tenants t ON t.id = p.tenant_id LEFT JOIN users u ON u.id = :uid::uuid AND u.tenant_id = p.tenant_id WHERE p.id = ('00000000-0000-7000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid AND (NULL::uuid IS NULL OR p.tenant_id = NULL::uuid) FOR UPDATE OF p) locked;
\endpipeline
\startpipeline
WITH route AS (INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_id, assigned_value, ring_seconds, failover_type, failover_id, failover_value, created_by, created_at, updated_at) VALUES (gen_random_uuid(), ('00000000-0000-7000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid, :tenant::uuid, 'USER', :uid::uuid, NULL, NULL::int, NULL::text, NULL::uuid, NULL::text, :admin::uuid, clock_timestamp(), clock_timestamp())), status AS (UPDATE phone_numbers SET status = 'ASSIGNED', updated_at = clock_timestamp() WHERE id = ('00000000-0000-7000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid) INSERT INTO audit_logs (id, at, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id) VALUES (gen_random_uuid(), clock_timestamp(), :admin::uuid, 'ASSIGN', 'PHONE_NUMBER', ('00000000-0000-7000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid, :tenant::uuid, NULL, ('{"id":"0198a3c2-1111-7000-8000-000000000001","phone_number_id":"' || ('00000000-0000-7000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid || '","phone_number":"' || ('+1555' || lpad(:n::text, 7, '0')) || '","assigned_type":"USER","assigned_id":"' || :uid::text || '","assigned_value": null,"destination":"USER bench-user@did.local (1001)","ring_seconds": null,"failover": null,"rules": [],"created_by":"' || :admin::text || '","created_at":"2026-11-25T12:00:00.000000Z","updated_at":"2026-11-25T12:00:00.000000Z"}')::jsonb, '127.0.0.1', NULL, '0HN8ABCDEFGH:00000001');
COMMIT;
\endpipeline
