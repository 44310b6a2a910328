using FluentMigrator;

namespace Did.Migrations;

/// <summary>A tenant's numbers in number order (the list endpoint's tenant filter and a tenant admin's every list):
/// (tenant_id, status, number) from M0002 is ordered by status first, so a tenant page needed a sort of all its numbers.
/// The tenant's numbers in order also make the 409 of a tenant deletion (first numbers by number) an index range.</summary>
[Migration(2026112503, "Phone numbers: tenant/number index for listing")]
public sealed class M0003_PhoneNumberListIndexes : Migration
{
    public override void Up() =>
        Execute.Sql("CREATE INDEX ix_phone_numbers_tenant_number ON phone_numbers (tenant_id, number);");

    public override void Down() => Execute.Sql("DROP INDEX ix_phone_numbers_tenant_number;");
}
