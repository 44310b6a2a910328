using FluentMigrator;

namespace Did.Migrations;

/// <summary>One paging model: every list pages by a keyset cursor (or by page up to a shallow offset), so the DID list's
/// page anchors and the epoch that told when they were stale (M0006) go. Each list's order gets the index its cursor
/// walks: tenants by (name, id); numbers of one route type in number order, which needs the number on the route. The
/// route's foreign key to its number now covers the number too, so the copy can never differ from the number; a writer
/// may leave it out and a trigger fills it in.</summary>
[Migration(2026120601, "One paging model: drop the DID list epoch, index each list's order")]
public sealed class M0008_OnePagingModel : Migration
{
    public override void Up() => Execute.Sql("""
        DROP TRIGGER tr_phone_numbers_list_epoch ON phone_numbers;
        DROP FUNCTION did_list_epoch_bump();
        DROP TABLE did_list_epoch;

        CREATE INDEX ix_tenants_name ON tenants (name, id);

        ALTER TABLE did_assignments ADD COLUMN number varchar(16);
        UPDATE did_assignments a SET number = p.number FROM phone_numbers p WHERE p.id = a.phone_number_id;
        ALTER TABLE did_assignments ALTER COLUMN number SET NOT NULL;

        ALTER TABLE phone_numbers ADD CONSTRAINT ux_phone_numbers_id_tenant_number UNIQUE (id, tenant_id, number);
        ALTER TABLE did_assignments DROP CONSTRAINT fk_did_assignments_number;
        ALTER TABLE did_assignments ADD CONSTRAINT fk_did_assignments_number
            FOREIGN KEY (phone_number_id, tenant_id, number) REFERENCES phone_numbers (id, tenant_id, number);
        ALTER TABLE phone_numbers DROP CONSTRAINT ux_phone_numbers_id_tenant;

        CREATE FUNCTION did_assignments_number() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            SELECT number INTO NEW.number FROM phone_numbers WHERE id = NEW.phone_number_id;
            RETURN NEW;
        END $$;
        CREATE TRIGGER tr_did_assignments_number BEFORE INSERT OR UPDATE OF phone_number_id ON did_assignments
            FOR EACH ROW WHEN (NEW.number IS NULL) EXECUTE FUNCTION did_assignments_number();

        DROP INDEX ix_did_assignments_tenant;
        CREATE INDEX ix_did_assignments_tenant_type_number ON did_assignments (tenant_id, assigned_type, number);
        CREATE INDEX ix_did_assignments_type_number ON did_assignments (assigned_type, number);
        """);

    public override void Down() => Execute.Sql("""
        DROP INDEX ix_did_assignments_type_number;
        DROP INDEX ix_did_assignments_tenant_type_number;
        CREATE INDEX ix_did_assignments_tenant ON did_assignments (tenant_id, assigned_type);
        DROP TRIGGER tr_did_assignments_number ON did_assignments;
        DROP FUNCTION did_assignments_number();
        ALTER TABLE phone_numbers ADD CONSTRAINT ux_phone_numbers_id_tenant UNIQUE (id, tenant_id);
        ALTER TABLE did_assignments DROP CONSTRAINT fk_did_assignments_number;
        ALTER TABLE did_assignments ADD CONSTRAINT fk_did_assignments_number
            FOREIGN KEY (phone_number_id, tenant_id) REFERENCES phone_numbers (id, tenant_id);
        ALTER TABLE phone_numbers DROP CONSTRAINT ux_phone_numbers_id_tenant_number;
        ALTER TABLE did_assignments DROP COLUMN number;
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
