using FluentMigrator;

namespace Did.Migrations;

/// <summary>Exact totals for the DID list without counting rows per request. <c>phone_number_counts</c> holds, per tenant
/// (NULL: in the inventory) and provider, how many numbers there are (<c>assigned_type</c> NULL) and how many of them route
/// to each type of destination (<c>assigned_type</c> set). Every change adds rows to <c>phone_number_count_deltas</c> in its
/// own transaction, from triggers, whatever writes the tables; the service folds the deltas into the counts in the
/// background. A total is the sum over counts and deltas in one snapshot, so it is exact at any moment.
/// Deltas are only inserted, never updated: a counter row updated by every assign would make concurrent assigns queue
/// on its lock until each commit is flushed.
/// Status is not a column here, because it follows from the rest: UNASSIGNED is no tenant (ck_phone_numbers_status_tenant),
/// ASSIGNED is having a route, ALLOCATED is held and not routed. Assign and unassign change the status and the route in
/// one transaction, so the hot path costs one trigger call and one delta row, on the route only.
/// A route's count carries its number's provider, read when the route changes; so a provider may change only while
/// the number is in the inventory, where no route can point at it.</summary>
[Migration(2026120602, "Exact DID list totals: phone number counts and their deltas")]
public sealed class M0009_PhoneNumberCounts : Migration
{
    public override void Up() => Execute.Sql("""
        -- No write lands between the triggers' creation and the first count below.
        LOCK TABLE phone_numbers, did_assignments IN SHARE ROW EXCLUSIVE MODE;

        CREATE TABLE phone_number_counts (
            tenant_id     uuid         NULL,
            provider      varchar(255) NULL,
            assigned_type text         NULL,
            n             bigint       NOT NULL,
            CONSTRAINT ux_phone_number_counts_group UNIQUE NULLS NOT DISTINCT (tenant_id, provider, assigned_type)
        );

        -- Rows live here for about a second (until the next fold): vacuum them often.
        CREATE TABLE phone_number_count_deltas (
            tenant_id     uuid         NULL,
            provider      varchar(255) NULL,
            assigned_type text         NULL,
            n             bigint       NOT NULL
        ) WITH (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0);

        -- Numbers: imports and releases are set-based (one statement, many rows), so they count per statement.
        CREATE FUNCTION phone_number_counts_numbers_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO phone_number_count_deltas (tenant_id, provider, n)
            SELECT tenant_id, provider, count(*) FROM added GROUP BY tenant_id, provider;
            RETURN NULL;
        END $$;

        CREATE FUNCTION phone_number_counts_numbers_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO phone_number_count_deltas (tenant_id, provider, n)
            SELECT tenant_id, provider, -count(*) FROM removed GROUP BY tenant_id, provider;
            RETURN NULL;
        END $$;

        -- Allocation and deallocation move a number between tenants. A row trigger, so that it only runs when the
        -- tenant or the provider really changed (a statement trigger with transition tables cannot name columns, and
        -- would run for every status change of the assign path).
        CREATE FUNCTION phone_number_counts_number_moved() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO phone_number_count_deltas (tenant_id, provider, n)
            VALUES (OLD.tenant_id, OLD.provider, -1), (NEW.tenant_id, NEW.provider, 1);
            RETURN NULL;
        END $$;

        CREATE TRIGGER tr_phone_numbers_counts_added AFTER INSERT ON phone_numbers
            REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION phone_number_counts_numbers_added();
        CREATE TRIGGER tr_phone_numbers_counts_removed AFTER DELETE ON phone_numbers
            REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION phone_number_counts_numbers_removed();
        CREATE TRIGGER tr_phone_numbers_counts_moved AFTER UPDATE OF tenant_id, provider ON phone_numbers
            FOR EACH ROW WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.provider IS DISTINCT FROM NEW.provider)
            EXECUTE FUNCTION phone_number_counts_number_moved();

        -- Routes: counted under the tenant and provider of their number.
        CREATE FUNCTION phone_number_counts_route_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                INSERT INTO phone_number_count_deltas (tenant_id, provider, assigned_type, n)
                SELECT OLD.tenant_id, provider, OLD.assigned_type, -1 FROM phone_numbers WHERE id = OLD.phone_number_id;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'route % and its number were deleted together: delete the route first', OLD.id
                        USING ERRCODE = 'integrity_constraint_violation';
                END IF;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                INSERT INTO phone_number_count_deltas (tenant_id, provider, assigned_type, n)
                SELECT NEW.tenant_id, provider, NEW.assigned_type, 1 FROM phone_numbers WHERE id = NEW.phone_number_id;
            END IF;
            RETURN NULL;
        END $$;

        CREATE TRIGGER tr_did_assignments_counts AFTER INSERT OR DELETE ON did_assignments
            FOR EACH ROW EXECUTE FUNCTION phone_number_counts_route_changed();
        CREATE TRIGGER tr_did_assignments_counts_changed AFTER UPDATE OF assigned_type, tenant_id, phone_number_id ON did_assignments
            FOR EACH ROW WHEN (OLD.assigned_type IS DISTINCT FROM NEW.assigned_type OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id
                               OR OLD.phone_number_id IS DISTINCT FROM NEW.phone_number_id)
            EXECUTE FUNCTION phone_number_counts_route_changed();

        -- TRUNCATE forgets what the table held.
        CREATE FUNCTION phone_number_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME = 'phone_numbers' THEN
                DELETE FROM phone_number_counts WHERE assigned_type IS NULL;
                DELETE FROM phone_number_count_deltas WHERE assigned_type IS NULL;
            ELSE
                DELETE FROM phone_number_counts WHERE assigned_type IS NOT NULL;
                DELETE FROM phone_number_count_deltas WHERE assigned_type IS NOT NULL;
            END IF;
            RETURN NULL;
        END $$;

        CREATE TRIGGER tr_phone_numbers_counts_truncated AFTER TRUNCATE ON phone_numbers
            FOR EACH STATEMENT EXECUTE FUNCTION phone_number_counts_truncated();
        CREATE TRIGGER tr_did_assignments_counts_truncated AFTER TRUNCATE ON did_assignments
            FOR EACH STATEMENT EXECUTE FUNCTION phone_number_counts_truncated();

        -- A route's count holds its number's provider: a number changes provider only while no tenant holds it.
        CREATE FUNCTION phone_numbers_provider_in_inventory() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'number %: the provider changes only while the number is in the inventory (UNASSIGNED)', OLD.number
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_phone_numbers_provider_in_inventory';
        END $$;

        CREATE TRIGGER tr_phone_numbers_provider_in_inventory BEFORE UPDATE OF provider ON phone_numbers
            FOR EACH ROW WHEN (OLD.provider IS DISTINCT FROM NEW.provider AND (OLD.tenant_id IS NOT NULL OR NEW.tenant_id IS NOT NULL))
            EXECUTE FUNCTION phone_numbers_provider_in_inventory();

        INSERT INTO phone_number_counts (tenant_id, provider, assigned_type, n)
        SELECT tenant_id, provider, NULL, count(*) FROM phone_numbers GROUP BY tenant_id, provider
        UNION ALL
        SELECT a.tenant_id, p.provider, a.assigned_type, count(*)
        FROM did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id
        GROUP BY a.tenant_id, p.provider, a.assigned_type;
        """);

    public override void Down() => Execute.Sql("""
        DROP TRIGGER tr_phone_numbers_provider_in_inventory ON phone_numbers;
        DROP TRIGGER tr_did_assignments_counts_truncated ON did_assignments;
        DROP TRIGGER tr_phone_numbers_counts_truncated ON phone_numbers;
        DROP TRIGGER tr_did_assignments_counts_changed ON did_assignments;
        DROP TRIGGER tr_did_assignments_counts ON did_assignments;
        DROP TRIGGER tr_phone_numbers_counts_moved ON phone_numbers;
        DROP TRIGGER tr_phone_numbers_counts_removed ON phone_numbers;
        DROP TRIGGER tr_phone_numbers_counts_added ON phone_numbers;
        DROP FUNCTION phone_numbers_provider_in_inventory();
        DROP FUNCTION phone_number_counts_truncated();
        DROP FUNCTION phone_number_counts_route_changed();
        DROP FUNCTION phone_number_counts_number_moved();
        DROP FUNCTION phone_number_counts_numbers_removed();
        DROP FUNCTION phone_number_counts_numbers_added();
        DROP TABLE phone_number_count_deltas;
        DROP TABLE phone_number_counts;
        """);
}
