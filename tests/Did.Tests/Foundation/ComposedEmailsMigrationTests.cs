using Dapper;
using Did.Tests.Support;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Migration M0043 (emails stored composed) on a database at the version before it: a decomposed email becomes
/// composed; one whose composed form another account holds stays as it was, since the unique index would refuse it.</summary>
public sealed class ComposedEmailsMigrationTests
{
    private const long Before = 2026121501;

    [Test]
    public async Task Decomposed_emails_become_composed_unless_another_account_holds_that_form()
    {
        await using var database = await DatabaseAtMigration.CreateAsync(Before);
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync();
        await conn.ExecuteAsync("""
            INSERT INTO users (id, email, display_name, password_hash, role, tenant_id, extension, security_stamp) VALUES
                ('00000000-0000-7000-8000-000000000001', @lone, 'Lone', 'x', 'SUPPORT', NULL, NULL, gen_random_uuid()),
                ('00000000-0000-7000-8000-000000000002', @pairComposed, 'Composed', 'x', 'SUPPORT', NULL, NULL, gen_random_uuid()),
                ('00000000-0000-7000-8000-000000000003', @pairDecomposed, 'Decomposed', 'x', 'SUPPORT', NULL, NULL, gen_random_uuid());
            """, new { lone = "zo\u0308e@example.com", pairComposed = "\u00C9mile@example.com", pairDecomposed = "e\u0301mile@example.com" });

        database.MigrateUp();

        var emails = (await conn.QueryAsync<(string Name, string Email)>("SELECT display_name, email FROM users"))
            .ToDictionary(r => r.Name, r => r.Email);
        Assert.Multiple(() =>
        {
            Assert.That(emails["Lone"], Is.EqualTo("z\u00F6e@example.com"));
            Assert.That(emails["Composed"], Is.EqualTo("\u00C9mile@example.com"));
            Assert.That(emails["Decomposed"], Is.EqualTo("e\u0301mile@example.com"));
        });
    }
}
