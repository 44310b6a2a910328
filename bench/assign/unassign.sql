-- pgbench script (run with -M prepared): the SQL DELETE /api/v1/dids/{id}/assign sends, statement for statement. Each
-- \startpipeline ... \endpipeline block is one round trip, as Npgsql sends a batch (Parse/Bind/Execute per statement,
-- one Sync), BEGIN and COMMIT inside them as the handler sends them; statements are prepared once per connection, as
-- Npgsql's auto-prepare does. Source: UnassignDid.Handler (LockNumber, ReadAssignment, RemoveRoute). Variables as in
-- assign.sql.
\startpipeline
BEGIN;
SELECT p.id, p.number, p.tenant_id FROM phone_numbers p WHERE p.id = ('00000000-0000-7000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid AND (NULL::uuid IS NULL OR p.tenant_id = NULL::uuid) FOR UPDATE OF p;
SELECT a.id, a.phone_number_id, p.number AS phone_number, a.assigned_type, a.assigned_id, a.assigned_value, CASE a.assigned_type WHEN 'USER' THEN 'USER ' || u.email || coalesce(' (' || u.extension || ')', '') WHEN 'IVR' THEN 'IVR ' || i.name WHEN 'QUEUE' THEN 'QUEUE ' || q.name WHEN 'EXTERNAL' THEN 'EXTERNAL ' || a.assigned_value END AS destination, a.created_by, a.created_at, a.updated_at FROM did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id LEFT JOIN users u ON u.id = a.assigned_user_id LEFT JOIN ivrs i ON i.id = a.assigned_ivr_id LEFT JOIN queues q ON q.id = a.assigned_queue_id WHERE a.phone_number_id = ('00000000-0000-7000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid AND (NULL::uuid IS NULL OR p.tenant_id = NULL::uuid);
\endpipeline
\startpipeline
WITH route AS (DELETE FROM did_assignments WHERE phone_number_id = ('00000000-0000-7000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid), status AS (UPDATE phone_numbers SET status = 'ALLOCATED', updated_at = now() WHERE id = ('00000000-0000-7000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid) INSERT INTO audit_logs (id, actor_id, action, entity_type, entity_id, tenant_id, before, after, source_ip, user_agent, request_id) VALUES (gen_random_uuid(), :admin::uuid, 'UNASSIGN', 'PHONE_NUMBER', ('00000000-0000-7000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid, :tenant::uuid, ('{"id":"0198a3c2-1111-7000-8000-000000000001","phone_number_id":"' || ('00000000-0000-7000-8000-' || lpad(to_hex(:n::bigint), 12, '0'))::uuid || '","phone_number":"' || ('+1555' || lpad(:n::text, 7, '0')) || '","assigned_type":"USER","assigned_id":"' || :uid::text || '","assigned_value": null,"destination":"USER bench-user@did.local (1001)","created_by":"' || :admin::text || '","created_at":"2026-11-25T12:00:00.000000Z","updated_at":"2026-11-25T12:00:00.000000Z"}')::jsonb, NULL, '127.0.0.1', NULL, '0HN8ABCDEFGH:00000002');
COMMIT;
\endpipeline
