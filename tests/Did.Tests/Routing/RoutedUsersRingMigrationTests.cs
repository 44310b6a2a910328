using Dapper;
using Did.Infrastructure.Data;
using Did.Tests.Support;
using FluentMigrator.Runner;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>Migration M0035 (routes reference only users that ring) on a database at M0034 holding routes, rules,
/// failovers, IVR keys and queue members: it ends in the schema of a fresh database and keeps every row; a database
/// holding a route to a user without an extension is refused, named, and left as it was.</summary>
public sealed class RoutedUsersRingMigrationTests
{
    private const long M0034 = 2026120900;
    private readonly List<string> _databases = [];

    [OneTimeTearDown]
    public async Task Drop()
    {
        foreach (var cs in _databases) await TestDatabase.DropAsync(cs);
    }

    /// <summary>A database at M0034, and a fresh one at the latest version to compare it with.</summary>
    private async Task<(string AtM0034, string Fresh)> DatabaseAtM0034Async()
    {
        var fresh = await TestDatabase.CreateAsync();
        _databases.Add(fresh);
        var name = $"did_m_{Guid.NewGuid():N}";
        await using (var server = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(fresh) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await server.OpenAsync();
            await server.ExecuteAsync($"CREATE DATABASE \"{name}\"");
        }
        var cs = new NpgsqlConnectionStringBuilder(fresh) { Database = name, Pooling = false }.ConnectionString;
        _databases.Add(cs);
        await using var sp = new ServiceCollection()
            .AddFluentMigratorCore()
            .ConfigureRunner(rb => rb.AddPostgres().WithGlobalConnectionString(cs).ScanIn(typeof(SchemaMigrator).Assembly).For.Migrations())
            .BuildServiceProvider();
        using (var scope = sp.CreateScope())
            scope.ServiceProvider.GetRequiredService<IMigrationRunner>().MigrateUp(M0034);
        return (cs, fresh);
    }

    private sealed record Seeded(Guid Tenant, Guid Ringing, Guid Silent, Guid Queue);

    /// <summary>A user with an extension reached in all five ways, and one without that nothing reaches.</summary>
    private static async Task<Seeded> SeedAsync(NpgsqlConnection conn)
    {
        var s = new Seeded(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await conn.ExecuteAsync("""
            INSERT INTO tenants (id, name, slug) VALUES (@Tenant, 'Acme', 'acme');
            INSERT INTO users (id, email, display_name, password_hash, role, tenant_id, extension, security_stamp) VALUES
                (@Ringing, 'ring@acme.test', 'Ring', 'x', 'USER', @Tenant, '1001', gen_random_uuid()),
                (@Silent, 'silent@acme.test', 'Silent', 'x', 'USER', @Tenant, NULL, gen_random_uuid());
            INSERT INTO phone_numbers (id, number, status, tenant_id, provider) VALUES
                ('00000000-0000-7000-8000-0000000000c1', '+19712000001', 'ASSIGNED', @Tenant, 'seed'),
                ('00000000-0000-7000-8000-0000000000c2', '+19712000002', 'ASSIGNED', @Tenant, 'seed');
            INSERT INTO queues (id, tenant_id, name, strategy, member_ring_seconds) VALUES (@Queue, @Tenant, 'support', 'RINGALL', 15);
            INSERT INTO queue_members (queue_id, tenant_id, user_id, position) VALUES (@Queue, @Tenant, @Ringing, 0);
            INSERT INTO ivrs (id, tenant_id, name, greeting, timeout_seconds)
            VALUES ('00000000-0000-7000-8000-0000000000e1', @Tenant, 'main', 'custom/welcome', 5);
            INSERT INTO ivr_destinations (ivr_id, tenant_id, key, dest_type, dest_user_id)
            VALUES ('00000000-0000-7000-8000-0000000000e1', @Tenant, '1', 'USER', @Ringing);
            INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_id, failover_type, failover_id) VALUES
                (gen_random_uuid(), '00000000-0000-7000-8000-0000000000c1', @Tenant, 'USER', @Ringing, 'USER', @Ringing),
                (gen_random_uuid(), '00000000-0000-7000-8000-0000000000c2', @Tenant, 'QUEUE', @Queue, NULL, NULL);
            INSERT INTO did_route_rules (phone_number_id, tenant_id, position, caller_withheld, dest_type, dest_id)
            VALUES ('00000000-0000-7000-8000-0000000000c2', @Tenant, 0, true, 'USER', @Ringing);
            """, s);
        return s;
    }

    /// <summary>Every column, constraint and index of the public schema, as text.</summary>
    private static async Task<List<string>> SchemaAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        return (await conn.QueryAsync<string>("""
            SELECT format('column %s.%s %s %s default=%s generated=%s', c.table_name, c.column_name, c.data_type, c.is_nullable,
                          c.column_default, c.generation_expression)
            FROM information_schema.columns c WHERE c.table_schema = 'public'
            UNION ALL
            SELECT format('constraint %s.%s %s %s', t.relname, k.conname, pg_get_constraintdef(k.oid), k.convalidated)
            FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'public'
            UNION ALL
            SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public'
            ORDER BY 1
            """)).ToList();
    }

    [Test]
    public async Task A_database_at_M0034_with_routes_ends_in_the_fresh_schema_with_its_rows()
    {
        var (cs, fresh) = await DatabaseAtM0034Async();
        Seeded seeded;
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            seeded = await SeedAsync(conn);
        }

        await SchemaMigrator.MigrateAsync(cs, NullLogger.Instance);

        Assert.That(await SchemaAsync(cs), Is.EqualTo(await SchemaAsync(fresh)));
        await using var migrated = new NpgsqlConnection(cs);
        await migrated.OpenAsync();
        Assert.That(await migrated.ExecuteScalarAsync<string>("""
            SELECT concat_ws(' ', (SELECT count(*) FROM did_assignments), (SELECT count(*) FROM did_assignments WHERE failover_user_id IS NOT NULL),
                             (SELECT count(*) FROM did_route_rules), (SELECT count(*) FROM ivr_destinations), (SELECT count(*) FROM queue_members))
            """), Is.EqualTo("2 1 1 1 1"));
        Assert.That(await migrated.QueryAsync<bool>("SELECT rings FROM users WHERE id = ANY(@ids) ORDER BY email", new { ids = new[] { seeded.Ringing, seeded.Silent } }),
            Is.EqualTo(new[] { true, false }));
        var removal = Assert.ThrowsAsync<PostgresException>(() => migrated.ExecuteAsync("UPDATE users SET extension = NULL WHERE id = @Ringing", seeded));
        Assert.That(removal!.SqlState, Is.EqualTo(PostgresErrorCodes.ForeignKeyViolation));
        var member = Assert.ThrowsAsync<PostgresException>(() => migrated.ExecuteAsync(
            "INSERT INTO queue_members (queue_id, tenant_id, user_id, position) VALUES (@Queue, @Tenant, @Silent, 1)", seeded));
        Assert.That(member!.ConstraintName, Is.EqualTo("fk_queue_members_user"));
    }

    [Test]
    public async Task A_database_with_a_route_to_a_user_without_an_extension_is_refused_naming_it_and_left_at_M0034()
    {
        var (cs, _) = await DatabaseAtM0034Async();
        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            var seeded = await SeedAsync(conn);
            await conn.ExecuteAsync("INSERT INTO queue_members (queue_id, tenant_id, user_id, position) VALUES (@Queue, @Tenant, @Silent, 1)", seeded);
        }

        var refused = Assert.CatchAsync(() => SchemaMigrator.MigrateAsync(cs, NullLogger.Instance));

        Assert.That(refused!.ToString(), Does.Contain("queue support has member silent@acme.test"));
        await using var after = new NpgsqlConnection(cs);
        await after.OpenAsync();
        Assert.That(await after.ExecuteScalarAsync<long>("SELECT max(\"Version\") FROM \"VersionInfo\""), Is.EqualTo(M0034));
        Assert.That(await after.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'rings')"), Is.False);
    }
}
