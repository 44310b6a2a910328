using FluentMigrator;

namespace Did.Migrations;

/// <summary>The audit rows that say an apply changed a tenant's live routing (APPLY of TENANT, after = {job_id,
/// tenant_id}), by the job they name and their tenant: a tenant admin reads every job its audit log names
/// (ApplyJobStore.TenantAdminReads), one index probe per job, whatever the size of the log. Partial: no other row is
/// indexed, and no other row has a job_id to cast.</summary>
[Migration(2026121620, "audit logs: the apply rows of a tenant by the job they name")]
public sealed class M0042_AuditApplyJobLink : Migration
{
    public override void Up() => Execute.Sql("""
        CREATE INDEX ix_audit_apply_job ON audit_logs (tenant_id, ((after->>'job_id')::uuid))
            WHERE action = 'APPLY' AND entity_type = 'TENANT';
        """);

    public override void Down() => Execute.Sql("DROP INDEX ix_audit_apply_job;");
}
