using FluentMigrator;

namespace Did.Migrations;

/// <summary>A deployed tenant's part is stored as the text the service wrote and hashed, compressed with lz4, not as jsonb
/// compressed with pglz: nothing queries inside a part, and parsing every part into jsonb and compressing it with pglz
/// were most of what recording a platform apply cost. The column stays readable text. Parts stored as jsonb keep their
/// hashes: a part's hash is of the service's own form, which the service computes from the data, never from the stored
/// text.</summary>
[Migration(2026120800, "Deployed tenant parts as lz4-compressed text")]
public sealed class M0033_DeployedPartsAsText : Migration
{
    public override void Up() => Execute.Sql("""
        ALTER TABLE deployed_tenants ALTER COLUMN part TYPE text USING part::text;
        ALTER TABLE deployed_tenants ALTER COLUMN part SET COMPRESSION lz4;
        """);

    public override void Down() => Execute.Sql("""
        ALTER TABLE deployed_tenants ALTER COLUMN part SET COMPRESSION default;
        ALTER TABLE deployed_tenants ALTER COLUMN part TYPE jsonb USING part::jsonb;
        """);
}
