using Dapper;
using Did.Tests.Support;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Migration M0045 (tenant names unique) on a database at the version before it that already holds tenants
/// whose names differ only in case, composition, spaces or joiners: the oldest keeps its name, composed; each later one
/// gets its slug appended, with an audit row saying so; then the database refuses another such name.</summary>
public sealed class TenantNamesMigrationTests
{
    private const long Before = 2026121630;

    [Test]
    public async Task Later_tenants_with_a_taken_name_get_their_slug_appended_and_the_name_becomes_unique()
    {
        await using var database = await DatabaseAtMigration.CreateAsync(Before);
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync();
        var longName = new string('x', 200);
        var nukta = string.Concat(Enumerable.Repeat("\u0958", 150)); // 300 characters once composed
        await conn.ExecuteAsync("""
            INSERT INTO tenants (id, name, slug, created_at) VALUES
                ('00000000-0000-7000-8000-000000000001', 'Acme', 'acme', '2026-01-01'),
                ('00000000-0000-7000-8000-000000000002', 'ACME', 'acme-two', '2026-01-02'),
                ('00000000-0000-7000-8000-000000000003', @acmeJoined, 'acme-three', '2026-01-03'),
                ('00000000-0000-7000-8000-000000000004', @decomposed, 'mueller', '2026-01-01'),
                ('00000000-0000-7000-8000-000000000005', @composed, 'mueller-two', '2026-01-02'),
                ('00000000-0000-7000-8000-000000000006', @longName, 'long-one', '2026-01-01'),
                ('00000000-0000-7000-8000-000000000007', @longName, 'long-two', '2026-01-02'),
                ('00000000-0000-7000-8000-000000000008', 'Solo', 'solo', '2026-01-01'),
                ('00000000-0000-7000-8000-000000000009', @nukta, 'nukta', '2026-01-01');
            INSERT INTO users (id, email, display_name, password_hash, role, tenant_id, extension, security_stamp) VALUES
                ('00000000-0000-7000-8000-000000000001', 'zoe@example.com', @zoe, 'x', 'SUPPORT', NULL, NULL, gen_random_uuid());
            """, new { acmeJoined = "Ac\u200Dme", decomposed = "Mu\u0308ller", composed = "M\u00FCller", longName, nukta, zoe = "Zo\u0308e" });

        database.MigrateUp();

        var names = (await conn.QueryAsync<(string Slug, string Name)>("SELECT slug, name FROM tenants")).ToDictionary(r => r.Slug, r => r.Name);
        var audited = (await conn.QueryAsync<(Guid Id, string Before, string After)>("""
            SELECT entity_id, before ->> 'name', after ->> 'name' FROM audit_logs
            WHERE entity_type = 'TENANT' AND action = 'UPDATE' AND tenant_id = entity_id ORDER BY entity_id
            """)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(names["acme"], Is.EqualTo("Acme"));
            Assert.That(names["acme-two"], Is.EqualTo("ACME (acme-two)"));
            Assert.That(names["acme-three"], Is.EqualTo("Ac\u200Dme (acme-three)"));
            Assert.That(names["mueller"], Is.EqualTo("M\u00FCller"), "the oldest keeps its name, composed");
            Assert.That(names["mueller-two"], Is.EqualTo("M\u00FCller (mueller-two)"));
            Assert.That(names["long-one"], Is.EqualTo(longName));
            Assert.That(names["long-two"], Is.EqualTo(new string('x', 200 - " (long-two)".Length) + " (long-two)"));
            Assert.That(names["solo"], Is.EqualTo("Solo"));
            Assert.That(names["nukta"], Is.EqualTo(nukta), "a name whose composed form would not fit stays as it was");
            Assert.That(audited.Select(a => (a.Before, a.After)), Is.EqualTo(new[]
            {
                ("ACME", "ACME (acme-two)"), ("Ac\u200Dme", "Ac\u200Dme (acme-three)"), ("M\u00FCller", "M\u00FCller (mueller-two)"),
                (longName, names["long-two"]),
            }), "each renamed tenant has an audit row; a name only composed has none");
        });

        Assert.That(await conn.ExecuteScalarAsync<string>("SELECT display_name FROM users"), Is.EqualTo("Z\u00F6e"));
        var refused = Assert.ThrowsAsync<PostgresException>(() =>
            conn.ExecuteAsync("INSERT INTO tenants (id, name, slug) VALUES (gen_random_uuid(), 'SOLO', 'solo-two')"));
        Assert.That(refused!.ConstraintName, Is.EqualTo("ux_tenants_name"));
    }

    [Test]
    public async Task A_database_without_duplicate_names_keeps_its_names()
    {
        await using var database = await DatabaseAtMigration.CreateAsync(Before);
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO tenants (id, name, slug) VALUES
                ('00000000-0000-7000-8000-000000000001', 'Acme', 'acme'),
                ('00000000-0000-7000-8000-000000000002', 'Acme Corp', 'acme-corp');
            """);

        database.MigrateUp();

        var names = (await conn.QueryAsync<string>("SELECT name FROM tenants ORDER BY name")).ToList();
        Assert.That(names, Is.EqualTo(new[] { "Acme", "Acme Corp" }));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_logs"), Is.Zero);
    }

    [Test]
    public async Task A_rename_that_would_still_collide_stops_the_migration_and_changes_nothing()
    {
        await using var database = await DatabaseAtMigration.CreateAsync(Before);
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO tenants (id, name, slug, created_at) VALUES
                ('00000000-0000-7000-8000-000000000001', 'Acme', 'acme', '2026-01-01'),
                ('00000000-0000-7000-8000-000000000002', 'acme', 'acme-two', '2026-01-02'),
                ('00000000-0000-7000-8000-000000000003', 'ACME (ACME-TWO)', 'other', '2026-01-03'),
                ('00000000-0000-7000-8000-000000000004', @decomposed, 'mueller', '2026-01-01');
            """, new { decomposed = "Mu\u0308ller" });

        var failed = Assert.Catch(() => database.MigrateUp());

        Assert.That(failed!.ToString(), Does.Contain("renaming one to \"acme (acme-two)\" would collide with the tenant named \"ACME (ACME-TWO)\""));
        var names = (await conn.QueryAsync<string>("SELECT name FROM tenants ORDER BY id")).ToList();
        Assert.That(names, Is.EqualTo(new[] { "Acme", "acme", "ACME (ACME-TWO)", "Mu\u0308ller" }), "nothing changed, not even a composition");
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_logs"), Is.Zero);
    }
}
