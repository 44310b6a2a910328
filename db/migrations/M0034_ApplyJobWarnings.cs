using FluentMigrator;

namespace Did.Migrations;

/// <summary>An apply job keeps the warnings of its render (stale data the dialplan left out), each filed under its tenant,
/// so the job can show them: a tenant admin's read of it shows only its tenant's. Jobs from before have none recorded.</summary>
[Migration(2026120900, "Apply jobs keep the warnings of their render")]
public sealed class M0034_ApplyJobWarnings : Migration
{
    public override void Up() => Execute.Sql("ALTER TABLE apply_jobs ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]';");

    public override void Down() => Execute.Sql("ALTER TABLE apply_jobs DROP COLUMN warnings;");
}
