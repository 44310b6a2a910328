using FluentMigrator;

namespace Did.Migrations;

/// <summary>A bulk allocation's link to each number it moved says whether the number came out of quarantine (its state
/// before, in the number's history), instead of the audit row listing the id of every such number: a range of 100,000
/// taken back out of quarantine made one audit row of 4 MB. NULL on every other link, and on the links of allocations
/// written before this, whose audit rows still list the ids (GetDidHistory reads both). A catalog change: no row is
/// rewritten.</summary>
[Migration(2026121501, "audit log numbers: whether a bulk allocation took the number out of quarantine")]
public sealed class M0040_AuditLogNumbersFromQuarantine : Migration
{
    public override void Up() => Execute.Sql("ALTER TABLE audit_log_numbers ADD COLUMN from_quarantine boolean NULL;");

    public override void Down() => Execute.Sql("ALTER TABLE audit_log_numbers DROP COLUMN from_quarantine;");
}
