using FluentMigrator;

namespace Did.Migrations;

/// <summary>Quarantine before reuse: a number taken back from a tenant waits in QUARANTINED until <c>quarantine_until</c>
/// before any other tenant may have it; <c>quarantined_from_tenant_id</c> is the tenant it came from, the only one that may
/// take it back meanwhile (NULL once that tenant is deleted: then nobody may until it expires). Like UNASSIGNED, a
/// quarantined number has no tenant, so no route can point at it (fk_did_assignments_number) and no tenant admin sees it;
/// a trigger refuses to give it to another tenant before its date, whatever writes the table.
/// The counts of M0009/M0022 get a <c>quarantined</c> dimension, so the list's status filter stays exact: UNASSIGNED
/// is no tenant and not quarantined, QUARANTINED is no tenant and quarantined. Every number stored before this is not
/// quarantined, so the existing counts are right as they are.</summary>
[Migration(2026120715, "Phone numbers: quarantine before reuse, counted")]
public sealed class M0031_NumberQuarantine : Migration
{
    public override void Up() => Execute.Sql("""
        LOCK TABLE phone_numbers, did_assignments IN SHARE ROW EXCLUSIVE MODE;

        ALTER TABLE phone_numbers
            ADD COLUMN quarantine_until timestamptz NULL,
            ADD COLUMN quarantined_from_tenant_id uuid NULL;
        ALTER TABLE phone_numbers
            DROP CONSTRAINT ck_phone_numbers_status,
            DROP CONSTRAINT ck_phone_numbers_status_tenant;
        ALTER TABLE phone_numbers
            ADD CONSTRAINT ck_phone_numbers_status CHECK (status IN ('UNASSIGNED', 'ALLOCATED', 'ASSIGNED', 'QUARANTINED')),
            ADD CONSTRAINT ck_phone_numbers_status_tenant CHECK (
                (status IN ('UNASSIGNED', 'QUARANTINED') AND tenant_id IS NULL) OR (status IN ('ALLOCATED', 'ASSIGNED') AND tenant_id IS NOT NULL)),
            ADD CONSTRAINT ck_phone_numbers_quarantine CHECK (
                (status = 'QUARANTINED') = (quarantine_until IS NOT NULL) AND (status = 'QUARANTINED' OR quarantined_from_tenant_id IS NULL)),
            ADD CONSTRAINT fk_phone_numbers_quarantined_from FOREIGN KEY (quarantined_from_tenant_id) REFERENCES tenants (id) ON DELETE SET NULL;
        -- The sweep's lookup of expired quarantines; the FK's lookup when a tenant is deleted.
        CREATE INDEX ix_phone_numbers_quarantine_until ON phone_numbers (quarantine_until) WHERE status = 'QUARANTINED';
        CREATE INDEX ix_phone_numbers_quarantined_from ON phone_numbers (quarantined_from_tenant_id) WHERE quarantined_from_tenant_id IS NOT NULL;

        -- The rule itself, whatever writes the table: until its date, a quarantined number goes to no other tenant.
        CREATE FUNCTION phone_numbers_quarantine_holds() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'number % is quarantined until %: only the tenant it came from may have it before then', OLD.number, OLD.quarantine_until
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_phone_numbers_quarantine_holds';
        END $$;
        CREATE TRIGGER tr_phone_numbers_quarantine_holds BEFORE UPDATE OF tenant_id ON phone_numbers
            FOR EACH ROW WHEN (OLD.status = 'QUARANTINED' AND NEW.tenant_id IS NOT NULL AND OLD.quarantine_until > now()
                               AND NEW.tenant_id IS DISTINCT FROM OLD.quarantined_from_tenant_id)
            EXECUTE FUNCTION phone_numbers_quarantine_holds();

        ALTER TABLE phone_number_counts ADD COLUMN quarantined boolean NOT NULL DEFAULT false;
        ALTER TABLE phone_number_counts DROP CONSTRAINT ux_phone_number_counts_group;
        ALTER TABLE phone_number_counts ADD CONSTRAINT ux_phone_number_counts_group
            UNIQUE NULLS NOT DISTINCT (tenant_id, provider, country, number_type, assigned_type, quarantined);
        ALTER TABLE phone_number_count_deltas ADD COLUMN quarantined boolean NOT NULL DEFAULT false;

        CREATE OR REPLACE FUNCTION phone_number_counts_numbers_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO phone_number_count_deltas (tenant_id, provider, country, number_type, quarantined, n)
            SELECT tenant_id, provider, country, number_type, status = 'QUARANTINED', count(*) FROM added GROUP BY 1, 2, 3, 4, 5;
            RETURN NULL;
        END $$;

        CREATE OR REPLACE FUNCTION phone_number_counts_numbers_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO phone_number_count_deltas (tenant_id, provider, country, number_type, quarantined, n)
            SELECT tenant_id, provider, country, number_type, status = 'QUARANTINED', -count(*) FROM removed GROUP BY 1, 2, 3, 4, 5;
            RETURN NULL;
        END $$;

        CREATE OR REPLACE FUNCTION phone_number_counts_number_moved() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO phone_number_count_deltas (tenant_id, provider, country, number_type, quarantined, n)
            VALUES (OLD.tenant_id, OLD.provider, OLD.country, OLD.number_type, OLD.status = 'QUARANTINED', -1),
                   (NEW.tenant_id, NEW.provider, NEW.country, NEW.number_type, NEW.status = 'QUARANTINED', 1);
            RETURN NULL;
        END $$;

        -- Entering or leaving quarantine moves a number between counts; ALLOCATED to ASSIGNED and back does not fire it.
        DROP TRIGGER tr_phone_numbers_counts_moved ON phone_numbers;
        CREATE TRIGGER tr_phone_numbers_counts_moved AFTER UPDATE OF tenant_id, provider, country, number_type, status ON phone_numbers
            FOR EACH ROW WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.provider IS DISTINCT FROM NEW.provider
                               OR OLD.country IS DISTINCT FROM NEW.country OR OLD.number_type IS DISTINCT FROM NEW.number_type
                               OR (OLD.status = 'QUARANTINED') <> (NEW.status = 'QUARANTINED'))
            EXECUTE FUNCTION phone_number_counts_number_moved();
        """);

    public override void Down() => Execute.Sql("""
        LOCK TABLE phone_numbers, did_assignments IN SHARE ROW EXCLUSIVE MODE;

        UPDATE phone_numbers SET status = 'UNASSIGNED', quarantine_until = NULL, quarantined_from_tenant_id = NULL
        WHERE status = 'QUARANTINED';

        DROP TRIGGER tr_phone_numbers_counts_moved ON phone_numbers;
        CREATE OR REPLACE FUNCTION phone_number_counts_number_moved() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO phone_number_count_deltas (tenant_id, provider, country, number_type, n)
            VALUES (OLD.tenant_id, OLD.provider, OLD.country, OLD.number_type, -1),
                   (NEW.tenant_id, NEW.provider, NEW.country, NEW.number_type, 1);
            RETURN NULL;
        END $$;
        CREATE TRIGGER tr_phone_numbers_counts_moved AFTER UPDATE OF tenant_id, provider, country, number_type ON phone_numbers
            FOR EACH ROW WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.provider IS DISTINCT FROM NEW.provider
                               OR OLD.country IS DISTINCT FROM NEW.country OR OLD.number_type IS DISTINCT FROM NEW.number_type)
            EXECUTE FUNCTION phone_number_counts_number_moved();
        CREATE OR REPLACE FUNCTION phone_number_counts_numbers_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO phone_number_count_deltas (tenant_id, provider, country, number_type, n)
            SELECT tenant_id, provider, country, number_type, -count(*) FROM removed GROUP BY 1, 2, 3, 4;
            RETURN NULL;
        END $$;
        CREATE OR REPLACE FUNCTION phone_number_counts_numbers_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO phone_number_count_deltas (tenant_id, provider, country, number_type, n)
            SELECT tenant_id, provider, country, number_type, count(*) FROM added GROUP BY 1, 2, 3, 4;
            RETURN NULL;
        END $$;

        TRUNCATE phone_number_counts, phone_number_count_deltas;
        ALTER TABLE phone_number_count_deltas DROP COLUMN quarantined;
        ALTER TABLE phone_number_counts DROP CONSTRAINT ux_phone_number_counts_group;
        ALTER TABLE phone_number_counts DROP COLUMN quarantined;
        ALTER TABLE phone_number_counts ADD CONSTRAINT ux_phone_number_counts_group
            UNIQUE NULLS NOT DISTINCT (tenant_id, provider, country, number_type, assigned_type);
        INSERT INTO phone_number_counts (tenant_id, provider, country, number_type, assigned_type, n)
        SELECT tenant_id, provider, country, number_type, NULL, count(*) FROM phone_numbers GROUP BY 1, 2, 3, 4
        UNION ALL
        SELECT a.tenant_id, p.provider, p.country, p.number_type, a.assigned_type, count(*)
        FROM did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id
        GROUP BY 1, 2, 3, 4, 5;

        DROP TRIGGER tr_phone_numbers_quarantine_holds ON phone_numbers;
        DROP FUNCTION phone_numbers_quarantine_holds();
        DROP INDEX ix_phone_numbers_quarantined_from;
        DROP INDEX ix_phone_numbers_quarantine_until;
        ALTER TABLE phone_numbers DROP CONSTRAINT fk_phone_numbers_quarantined_from, DROP CONSTRAINT ck_phone_numbers_quarantine,
            DROP CONSTRAINT ck_phone_numbers_status_tenant, DROP CONSTRAINT ck_phone_numbers_status;
        ALTER TABLE phone_numbers
            ADD CONSTRAINT ck_phone_numbers_status CHECK (status IN ('UNASSIGNED', 'ALLOCATED', 'ASSIGNED')),
            ADD CONSTRAINT ck_phone_numbers_status_tenant CHECK (
                (status = 'UNASSIGNED' AND tenant_id IS NULL) OR (status IN ('ALLOCATED', 'ASSIGNED') AND tenant_id IS NOT NULL));
        ALTER TABLE phone_numbers DROP COLUMN quarantined_from_tenant_id, DROP COLUMN quarantine_until;
        """);
}
