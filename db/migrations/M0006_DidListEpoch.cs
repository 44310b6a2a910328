using FluentMigrator;

namespace Did.Migrations;

/// <summary>A counter that moves whenever the order of the DID list can change: a number inserted or deleted, or a
/// number's tenant changed. The list caches page anchors (the number at every Nth position) and trusts them only while
/// this counter reads the same in its own snapshot, so a deep page is an index range instead of an OFFSET walk.
/// Statement-level triggers keep it exact whatever writes the table (a bulk import bumps it once, not per row); status
/// changes (assign/unassign, the hot path) do not touch it.</summary>
[Migration(2026112506, "DID list epoch")]
public sealed class M0006_DidListEpoch : Migration
{
    public override void Up()
    {
        Execute.Sql("""
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

    public override void Down() => Execute.Sql("""
        DROP TRIGGER tr_phone_numbers_list_epoch ON phone_numbers;
        DROP FUNCTION did_list_epoch_bump();
        DROP TABLE did_list_epoch;
        """);
}
