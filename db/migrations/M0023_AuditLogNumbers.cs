using FluentMigrator;

namespace Did.Migrations;

/// <summary>Which numbers a bulk change touched, so one number's history finds the bulk allocations and deallocations
/// that moved it (their audit row holds one entry for the whole call). One row per number and bulk audit row, written in
/// the change's own transaction; <c>tenant_id</c> is the tenant that held the number before or after the change, which is
/// what a tenant admin's view of the history filters on (a deallocation from several tenants has no single tenant on its
/// audit row). Single-number changes need no row here (their audit row names the number), and neither do imports: a
/// number's import is the IMPORT row written at its <c>created_at</c> (both are the import transaction's now()) whose id
/// range holds the number's id (DidImporter). Quarantine and its early end, when they come, are single-number or bulk
/// changes like any other.</summary>
[Migration(2026120707, "audit log numbers: the numbers each bulk change touched")]
public sealed class M0023_AuditLogNumbers : Migration
{
    public override void Up() => Execute.Sql("""
        CREATE TABLE audit_log_numbers (
            phone_number_id uuid NOT NULL,
            audit_log_id    uuid NOT NULL,
            tenant_id       uuid NULL,
            CONSTRAINT pk_audit_log_numbers PRIMARY KEY (phone_number_id, audit_log_id),
            CONSTRAINT fk_audit_log_numbers_audit FOREIGN KEY (audit_log_id) REFERENCES audit_logs (id) ON DELETE CASCADE
        );
        CREATE INDEX ix_audit_log_numbers_audit ON audit_log_numbers (audit_log_id);
        """);

    public override void Down() => Execute.Sql("DROP TABLE audit_log_numbers;");
}
