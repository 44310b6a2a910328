using FluentMigrator;

namespace Did.Migrations;

/// <summary>A tenant's name is unique whatever its case, its composition and the joiners (ZWNJ, ZWJ) in it, so an
/// operator picking a tenant from a list can tell tenants apart; the names people read are stored composed (NFC).
/// <para>Names stored before are composed first, except one whose composed form would not fit its column (NFC writes
/// some letters, such as U+0958, as two characters); the key composes it anyway, so it is compared as composed. Of
/// tenants that already share a name, the oldest (by created_at, then id) keeps it and each later one gets " (slug)"
/// appended, its name cut so that the whole fits 200 characters; each rename writes an audit row without an actor, so
/// the tenant's history says why its name changed. Should an appended name still collide (another tenant is already
/// called "Acme (acme-2)"), the migration fails naming both, and its transaction leaves every row as it was.
/// Composing a name changes nothing anyone sees, so that writes no audit row (as M0043).</para></summary>
[Migration(2026121650, "tenants: names unique whatever their case, composition and joiners")]
public sealed class M0045_UniqueTenantNames : Migration
{
    /// <summary>The key two names are the same by: lower-cased, joiners removed, composed. Lower-cased by PostgreSQL, as
    /// ux_users_email is, so the database alone decides.</summary>
    private const string Key = "lower(normalize(translate(name, U&'\\200C\\200D', ''), NFC))";

    public override void Up() => Execute.Sql($"""
        UPDATE tenants SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED AND length(normalize(name, NFC)) <= 200;
        UPDATE users SET display_name = normalize(display_name, NFC)
        WHERE display_name IS NOT NFC NORMALIZED AND length(normalize(display_name, NFC)) <= 200;
        UPDATE api_keys SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED AND length(normalize(name, NFC)) <= 200;
        UPDATE schedule_closed_dates SET name = normalize(name, NFC) WHERE name IS NOT NFC NORMALIZED AND length(normalize(name, NFC)) <= 64;

        CREATE TEMPORARY TABLE renamed_tenants AS
        SELECT id, name AS old_name, left(name, 200 - length(slug) - 3) || ' (' || slug || ')' AS new_name
        FROM (SELECT id, name, slug, row_number() OVER (PARTITION BY {Key} ORDER BY created_at, id) AS nth FROM tenants) t
        WHERE nth > 1;

        DO $$
        DECLARE clash record;
        BEGIN
            SELECT r.new_name, o.name AS other INTO clash
            FROM renamed_tenants r
            JOIN tenants o ON o.id <> r.id
                AND lower(normalize(translate(o.name, U&'\200C\200D', ''), NFC)) = lower(normalize(translate(r.new_name, U&'\200C\200D', ''), NFC))
            LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'Tenants share a name, and renaming one to "%" would collide with the tenant named "%": rename one of them (PATCH /api/v1/tenants/<id> on the version before), then start again.', clash.new_name, clash.other;
            END IF;
        END $$;

        UPDATE tenants t SET name = r.new_name, updated_at = clock_timestamp() FROM renamed_tenants r WHERE r.id = t.id;
        INSERT INTO audit_logs (id, action, entity_type, entity_id, tenant_id, before, after)
        SELECT gen_random_uuid(), 'UPDATE', 'TENANT', id, id, jsonb_build_object('name', old_name), jsonb_build_object('name', new_name)
        FROM renamed_tenants ORDER BY id;
        DROP TABLE renamed_tenants;

        CREATE UNIQUE INDEX ux_tenants_name ON tenants ({Key});
        """);

    // Which names were appended is in the audit log; the names stay, as unique names serve as well.
    public override void Down() => Execute.Sql("DROP INDEX ux_tenants_name;");
}
