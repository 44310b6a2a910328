using FluentMigrator;

namespace Did.Migrations;

/// <summary>A queue's timeout_seconds was always the time each member rings (queues.conf 'timeout'), never how long a
/// caller waits: the column now says so. And IVR and queue contexts are named &lt;slug&gt;_ivr_&lt;name&gt; and
/// &lt;slug&gt;_queue_&lt;name&gt; (ContextNames), so EXTERNAL Gotos stored with the old names are rewritten to the new
/// ones, each with an audit row saying what changed. The slug rule ck_tenants_slug_reserved stays: it keeps an old-style
/// name (tenant-acme-ivr-main) unambiguous wherever one is still sent.</summary>
[Migration(2026120605, "Queue member ring time; EXTERNAL Gotos to the new IVR and queue context names")]
public sealed class M0012_QueueMemberRing : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            ALTER TABLE queues RENAME COLUMN timeout_seconds TO member_ring_seconds;
            ALTER TABLE queues RENAME CONSTRAINT ck_queues_timeout TO ck_queues_member_ring_seconds;
            """);
        Execute.Sql(RewriteLegacyGotos);
    }

    /// <summary>EXTERNAL <c>Goto(tenant-&lt;slug&gt;-ivr-&lt;name&gt;,...)</c> and <c>-queue-</c> of the row's own tenant, rewritten to
    /// the current context names, with an audit row each (no actor: the system did it). Rows naming another tenant's
    /// context this way are left alone; the renderer refuses them. Public so a test can run it on rows it wrote.</summary>
    public const string RewriteLegacyGotos = """
        WITH legacy AS (
            SELECT a.id, a.assigned_value AS old_value,
                   regexp_replace(a.assigned_value, '^Goto\(tenant-' || t.slug || '-(ivr|queue)-', 'Goto(' || t.slug || '_\1_') AS new_value
            FROM did_assignments a JOIN tenants t ON t.id = a.tenant_id
            WHERE a.assigned_type = 'EXTERNAL'
              AND a.assigned_value ~ ('^Goto\(tenant-' || t.slug || '-(ivr|queue)-[a-z0-9-]{1,40},')
        ), rewritten AS (
            UPDATE did_assignments a SET assigned_value = legacy.new_value, updated_at = now()
            FROM legacy WHERE a.id = legacy.id
            RETURNING a.phone_number_id, a.tenant_id, legacy.old_value, legacy.new_value
        )
        INSERT INTO audit_logs (id, action, entity_type, entity_id, tenant_id, before, after)
        SELECT gen_random_uuid(), 'UPDATE', 'PHONE_NUMBER', phone_number_id, tenant_id,
               jsonb_build_object('assigned_value', old_value), jsonb_build_object('assigned_value', new_value)
        FROM rewritten;
        """;

    public override void Down()
    {
        Execute.Sql("""
            UPDATE did_assignments a
            SET assigned_value = regexp_replace(a.assigned_value, '^Goto\(' || t.slug || '_(ivr|queue)_', 'Goto(tenant-' || t.slug || '-\1-'),
                updated_at = now()
            FROM tenants t
            WHERE t.id = a.tenant_id AND a.assigned_type = 'EXTERNAL'
              AND a.assigned_value ~ ('^Goto\(' || t.slug || '_(ivr|queue)_[a-z0-9-]{1,40},');

            ALTER TABLE queues RENAME CONSTRAINT ck_queues_member_ring_seconds TO ck_queues_timeout;
            ALTER TABLE queues RENAME COLUMN member_ring_seconds TO timeout_seconds;
            """);
    }
}
