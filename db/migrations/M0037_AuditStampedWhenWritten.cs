using FluentMigrator;

namespace Did.Migrations;

/// <summary>An audit row's <c>at</c> defaults to <c>clock_timestamp()</c>, the time it is written, instead of
/// <c>now()</c>, its transaction's start: a change that began before another but waited for its lock commits after it,
/// and stamped with its start its row came first although its before is the other's after. Every INSERT into audit_logs
/// names its stamp (AuditLog); the default only keeps one that does not from bringing the old order back. A catalog
/// change: no row is rewritten, and rows already written keep their stamps.</summary>
[Migration(2026121200, "Audit rows are stamped when written, not when their transaction began")]
public sealed class M0037_AuditStampedWhenWritten : Migration
{
    public override void Up() => Execute.Sql("ALTER TABLE audit_logs ALTER COLUMN at SET DEFAULT clock_timestamp();");

    public override void Down() => Execute.Sql("ALTER TABLE audit_logs ALTER COLUMN at SET DEFAULT now();");
}
