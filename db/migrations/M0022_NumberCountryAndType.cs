using System.Data;
using Dapper;
using Did.Features.Dids;
using FluentMigrator;

namespace Did.Migrations;

/// <summary>Each number's country (ISO 3166 region, 001 for non-geographic services) and type (FIXED_LINE, MOBILE,
/// TOLL_FREE, ...), as libphonenumber classifies it: filled at import, and here for the numbers already stored. A number
/// libphonenumber does not recognise keeps both NULL (stored before numbers were validated, or written by hand). Both are
/// list filters with exact totals, so the counts of M0009 are keyed by them too: the triggers are redefined with the two
/// columns and the counts rebuilt. Country and type follow from the number, which never changes; like the provider, they
/// may change only while the number is in the inventory (a route's count carries them).</summary>
[Migration(2026120706, "Phone numbers: country and type, counted")]
public sealed class M0022_NumberCountryAndType : Migration
{
    public override void Up()
    {
        Execute.Sql("""
            LOCK TABLE phone_numbers, did_assignments IN SHARE ROW EXCLUSIVE MODE;

            ALTER TABLE phone_numbers ADD COLUMN country varchar(3) NULL, ADD COLUMN number_type text NULL;
            ALTER TABLE phone_numbers
                ADD CONSTRAINT ck_phone_numbers_country CHECK (country ~ '^([A-Z]{2}|001)$'),
                ADD CONSTRAINT ck_phone_numbers_number_type CHECK (number_type IN ('FIXED_LINE', 'MOBILE', 'FIXED_LINE_OR_MOBILE',
                    'TOLL_FREE', 'PREMIUM_RATE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL')),
                ADD CONSTRAINT ck_phone_numbers_classified CHECK ((country IS NULL) = (number_type IS NULL));
            """);
        Execute.WithConnection(Classify);
        Execute.Sql("""
            CREATE INDEX ix_phone_numbers_country_number ON phone_numbers (country, number);
            CREATE INDEX ix_phone_numbers_type_number ON phone_numbers (number_type, number);

            ALTER TABLE phone_number_counts ADD COLUMN country varchar(3) NULL, ADD COLUMN number_type text NULL;
            ALTER TABLE phone_number_counts DROP CONSTRAINT ux_phone_number_counts_group;
            ALTER TABLE phone_number_counts ADD CONSTRAINT ux_phone_number_counts_group
                UNIQUE NULLS NOT DISTINCT (tenant_id, provider, country, number_type, assigned_type);
            ALTER TABLE phone_number_count_deltas ADD COLUMN country varchar(3) NULL, ADD COLUMN number_type text NULL;

            CREATE OR REPLACE FUNCTION phone_number_counts_numbers_added() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO phone_number_count_deltas (tenant_id, provider, country, number_type, n)
                SELECT tenant_id, provider, country, number_type, count(*) FROM added GROUP BY 1, 2, 3, 4;
                RETURN NULL;
            END $$;

            CREATE OR REPLACE FUNCTION phone_number_counts_numbers_removed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO phone_number_count_deltas (tenant_id, provider, country, number_type, n)
                SELECT tenant_id, provider, country, number_type, -count(*) FROM removed GROUP BY 1, 2, 3, 4;
                RETURN NULL;
            END $$;

            CREATE OR REPLACE FUNCTION phone_number_counts_number_moved() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO phone_number_count_deltas (tenant_id, provider, country, number_type, n)
                VALUES (OLD.tenant_id, OLD.provider, OLD.country, OLD.number_type, -1),
                       (NEW.tenant_id, NEW.provider, NEW.country, NEW.number_type, 1);
                RETURN NULL;
            END $$;

            DROP TRIGGER tr_phone_numbers_counts_moved ON phone_numbers;
            CREATE TRIGGER tr_phone_numbers_counts_moved AFTER UPDATE OF tenant_id, provider, country, number_type ON phone_numbers
                FOR EACH ROW WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.provider IS DISTINCT FROM NEW.provider
                                   OR OLD.country IS DISTINCT FROM NEW.country OR OLD.number_type IS DISTINCT FROM NEW.number_type)
                EXECUTE FUNCTION phone_number_counts_number_moved();

            CREATE OR REPLACE FUNCTION phone_number_counts_route_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    INSERT INTO phone_number_count_deltas (tenant_id, provider, country, number_type, assigned_type, n)
                    SELECT OLD.tenant_id, provider, country, number_type, OLD.assigned_type, -1 FROM phone_numbers WHERE id = OLD.phone_number_id;
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'route % and its number were deleted together: delete the route first', OLD.id
                            USING ERRCODE = 'integrity_constraint_violation';
                    END IF;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    INSERT INTO phone_number_count_deltas (tenant_id, provider, country, number_type, assigned_type, n)
                    SELECT NEW.tenant_id, provider, country, number_type, NEW.assigned_type, 1 FROM phone_numbers WHERE id = NEW.phone_number_id;
                END IF;
                RETURN NULL;
            END $$;

            -- A route's count holds its number's provider, country and type: they change only while no tenant holds it.
            CREATE OR REPLACE FUNCTION phone_numbers_provider_in_inventory() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'number %: the provider, country and type change only while the number is in the inventory (UNASSIGNED)', OLD.number
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_phone_numbers_provider_in_inventory';
            END $$;
            DROP TRIGGER tr_phone_numbers_provider_in_inventory ON phone_numbers;
            CREATE TRIGGER tr_phone_numbers_provider_in_inventory BEFORE UPDATE OF provider, country, number_type ON phone_numbers
                FOR EACH ROW WHEN ((OLD.provider IS DISTINCT FROM NEW.provider OR OLD.country IS DISTINCT FROM NEW.country
                                    OR OLD.number_type IS DISTINCT FROM NEW.number_type)
                                   AND (OLD.tenant_id IS NOT NULL OR NEW.tenant_id IS NOT NULL))
                EXECUTE FUNCTION phone_numbers_provider_in_inventory();

            TRUNCATE phone_number_counts, phone_number_count_deltas;
            INSERT INTO phone_number_counts (tenant_id, provider, country, number_type, assigned_type, n)
            SELECT tenant_id, provider, country, number_type, NULL, count(*) FROM phone_numbers GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT a.tenant_id, p.provider, p.country, p.number_type, a.assigned_type, count(*)
            FROM did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id
            GROUP BY 1, 2, 3, 4, 5;
            """);
    }

    /// <summary>Classifies the stored numbers in batches, in number order, through the same code the import uses.
    /// The counts are rebuilt after this, so the moved trigger (which would count each change) is not involved: it
    /// fires on the tenant and provider only until it is redefined below.</summary>
    internal static void Classify(IDbConnection conn, IDbTransaction tx)
    {
        var after = "";
        while (true)
        {
            var batch = conn.Query<(Guid Id, string Number)>(
                "SELECT id, number FROM phone_numbers WHERE number > @after ORDER BY number LIMIT 20000", new { after }, tx).ToList();
            if (batch.Count == 0) return;
            after = batch[^1].Number;
            var known = batch
                .Select(r => NumberNormalizer.TryNormalize(r.Number, null, out var n, out _) && n.E164 == r.Number
                    ? (r.Id, n.Country, Type: Infrastructure.Json.ApiJson.Name(n.Type))
                    : default)
                .Where(x => x.Id != Guid.Empty)
                .ToList();
            if (known.Count == 0) continue;
            conn.Execute("""
                UPDATE phone_numbers p SET country = x.country, number_type = x.number_type
                FROM unnest(@ids, @countries, @types) AS x(id, country, number_type)
                WHERE p.id = x.id
                """, new { ids = known.Select(k => k.Id).ToArray(), countries = known.Select(k => k.Country).ToArray(), types = known.Select(k => k.Type).ToArray() }, tx);
        }
    }

    public override void Down() => Execute.Sql("""
        LOCK TABLE phone_numbers, did_assignments IN SHARE ROW EXCLUSIVE MODE;
        DROP TRIGGER tr_phone_numbers_provider_in_inventory ON phone_numbers;
        CREATE OR REPLACE FUNCTION phone_numbers_provider_in_inventory() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'number %: the provider changes only while the number is in the inventory (UNASSIGNED)', OLD.number
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_phone_numbers_provider_in_inventory';
        END $$;
        CREATE TRIGGER tr_phone_numbers_provider_in_inventory BEFORE UPDATE OF provider ON phone_numbers
            FOR EACH ROW WHEN (OLD.provider IS DISTINCT FROM NEW.provider AND (OLD.tenant_id IS NOT NULL OR NEW.tenant_id IS NOT NULL))
            EXECUTE FUNCTION phone_numbers_provider_in_inventory();

        CREATE OR REPLACE FUNCTION phone_number_counts_route_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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
        DROP TRIGGER tr_phone_numbers_counts_moved ON phone_numbers;
        CREATE OR REPLACE FUNCTION phone_number_counts_number_moved() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO phone_number_count_deltas (tenant_id, provider, n)
            VALUES (OLD.tenant_id, OLD.provider, -1), (NEW.tenant_id, NEW.provider, 1);
            RETURN NULL;
        END $$;
        CREATE TRIGGER tr_phone_numbers_counts_moved AFTER UPDATE OF tenant_id, provider ON phone_numbers
            FOR EACH ROW WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.provider IS DISTINCT FROM NEW.provider)
            EXECUTE FUNCTION phone_number_counts_number_moved();
        CREATE OR REPLACE FUNCTION phone_number_counts_numbers_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO phone_number_count_deltas (tenant_id, provider, n)
            SELECT tenant_id, provider, -count(*) FROM removed GROUP BY tenant_id, provider;
            RETURN NULL;
        END $$;
        CREATE OR REPLACE FUNCTION phone_number_counts_numbers_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO phone_number_count_deltas (tenant_id, provider, n)
            SELECT tenant_id, provider, count(*) FROM added GROUP BY tenant_id, provider;
            RETURN NULL;
        END $$;

        TRUNCATE phone_number_counts, phone_number_count_deltas;
        ALTER TABLE phone_number_count_deltas DROP COLUMN country, DROP COLUMN number_type;
        ALTER TABLE phone_number_counts DROP CONSTRAINT ux_phone_number_counts_group;
        ALTER TABLE phone_number_counts DROP COLUMN country, DROP COLUMN number_type;
        ALTER TABLE phone_number_counts ADD CONSTRAINT ux_phone_number_counts_group UNIQUE NULLS NOT DISTINCT (tenant_id, provider, assigned_type);
        INSERT INTO phone_number_counts (tenant_id, provider, assigned_type, n)
        SELECT tenant_id, provider, NULL, count(*) FROM phone_numbers GROUP BY tenant_id, provider
        UNION ALL
        SELECT a.tenant_id, p.provider, a.assigned_type, count(*)
        FROM did_assignments a JOIN phone_numbers p ON p.id = a.phone_number_id
        GROUP BY a.tenant_id, p.provider, a.assigned_type;

        DROP INDEX ix_phone_numbers_type_number;
        DROP INDEX ix_phone_numbers_country_number;
        ALTER TABLE phone_numbers DROP COLUMN number_type, DROP COLUMN country;
        """);
}
