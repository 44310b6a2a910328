using FluentMigrator;

namespace Did.Migrations;

/// <summary>The assigned numbers of each country and type in number order, for a list filtered by a route type and a
/// country or type. Walking the routes of a type in number order and skipping the numbers of other countries or types
/// costs as many lookups as numbers sort before the first match (toll-free numbers sort after most geographic ones); the
/// assigned numbers of one country or type are few and carry the order themselves.</summary>
[Migration(2026120708, "Phone numbers: assigned numbers by country and by type")]
public sealed class M0024_AssignedNumbersByCountryAndType : Migration
{
    public override void Up() => Execute.Sql("""
        CREATE INDEX ix_phone_numbers_assigned_country_number ON phone_numbers (country, number) WHERE status = 'ASSIGNED';
        CREATE INDEX ix_phone_numbers_assigned_type_number ON phone_numbers (number_type, number) WHERE status = 'ASSIGNED';
        """);

    public override void Down() => Execute.Sql("""
        DROP INDEX ix_phone_numbers_assigned_country_number;
        DROP INDEX ix_phone_numbers_assigned_type_number;
        """);
}
