using FluentMigrator;

namespace Did.Migrations;

/// <summary>One paging model: every list pages by a keyset cursor (or by page up to a shallow offset), so the DID list's
/// page anchors and the epoch that told when they were stale (M0006) go. Tenants are listed by (name, id): that order
/// gets its index, so a cursor page of tenants is an index range.</summary>
[Migration(2026120601, "One paging model: drop the DID list epoch, index the tenant order")]
public sealed class M0008_OnePagingModel : Migration
{
    public override void Up() => Execute.Sql("""
        DROP TRIGGER tr_phone_numbers_list_epoch ON phone_numbers;
        DROP FUNCTION did_list_epoch_bump();
        DROP TABLE did_list_epoch;

        CREATE INDEX ix_tenants_name ON tenants (name, id);
        """);

    public override void Down() => Execute.Sql("""
        DROP INDEX ix_tenants_name;

        CREATE TABLE did_list_epoch (
            singleton boolean PRIMARY KEY DEFAULT true,
            epoch     bigint  NOT NULL DEFAULT 0,
            CONSTRAINT ck_did_list_epoch_singleton CHECK (singleton)
        );
        INSERT INTO did_list_epoch DEFAULT VALUES;
        CREATE FUNCTION did_list_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE did_list_epoch SET epoch = epoch + 1;
            RETURN NULL;
        END $$;
        CREATE TRIGGER tr_phone_numbers_list_epoch
            AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF number, tenant_id ON phone_numbers
            FOR EACH STATEMENT EXECUTE FUNCTION did_list_epoch_bump();
        """);
}
