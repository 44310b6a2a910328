using System.Net;
using System.Text.Json;
using Dapper;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>Issue 16, "One tenant admin can break Apply for every tenant": a render refused by the data, through the API.</summary>
public sealed class SwitchNameApplyTests : ApplyFixtureBase
{
    private async Task<(TestTenant Tenant, TestUser Admin, TestUser Phone)> TenantWithPhoneAsync(string slug, string extension)
    {
        var tenant = await CreateTenantAsync(slug);
        return (tenant, await CreateUserAsync("TENANT_ADMIN", tenant.Id), await CreateUserAsync("USER", tenant.Id, extension));
    }

    /// <summary>Writes a row the API would refuse (as a bug, an old release or a hand edit could), runs the test, removes it.</summary>
    private async Task WithRefusedExternalActionAsync(TestTenant tenant, Func<TestNumber, Task> test)
    {
        var number = (await SeedNumbersAsync(tenant.Id))[0];
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("""
                INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_value) VALUES (gen_random_uuid(), @id, @t, 'EXTERNAL', 'System(id)');
                UPDATE phone_numbers SET status = 'ASSIGNED' WHERE id = @id;
                """, new { id = number.Id, t = tenant.Id });
        try
        {
            await test(number);
        }
        finally
        {
            await using var conn = await Db.OpenConnectionAsync();
            await conn.ExecuteAsync("DELETE FROM did_assignments WHERE phone_number_id = @id; UPDATE phone_numbers SET status = 'ALLOCATED' WHERE id = @id;", new { id = number.Id });
        }
    }

    private static void AssertConflict(JsonElement problem, int own, int elsewhere)
    {
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(409));
        Assert.That(problem.GetProperty("problems").GetArrayLength(), Is.EqualTo(own), problem.ToString());
        Assert.That(problem.GetProperty("problems_outside_your_tenant").GetInt32(), Is.EqualTo(elsewhere), problem.ToString());
    }

    [Test]
    public async Task Another_tenants_refused_data_is_a_409_for_an_apply_that_tells_nothing_about_it()
    {
        var (other, otherAdmin, _) = await TenantWithPhoneAsync(Unique("other"), "2001");
        await WithRefusedExternalActionAsync(other, async number =>
        {
            var before = LiveFiles();
            foreach (var response in new[] { await PostApply(AcmeAdmin.Client), await PostApply(AcmeAdmin.Client, dryRun: true) })
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
                var text = await response.Content.ReadAsStringAsync();
                Assert.That(text, Does.Not.Contain(other.Slug).And.Not.Contain(number.Number).And.Not.Contain("System").And.Not.Contain(other.Id.ToString()));
                AssertConflict(JsonDocument.Parse(text).RootElement, own: 0, elsewhere: 1);
            }
            Assert.That(LiveFiles(), Is.EqualTo(before), "nothing reached the switch");

            var theirs = await Expect(await PostApply(otherAdmin.Client, dryRun: true), HttpStatusCode.Conflict);
            AssertConflict(theirs, own: 1, elsewhere: 0);
            Assert.That(theirs.GetProperty("problems")[0].GetString(), Does.Contain(number.Number).And.Contain("System"));

            var platform = await Expect(await PostApply(), HttpStatusCode.Conflict);
            AssertConflict(platform, own: 1, elsewhere: 0);
        });
    }

    [Test]
    public async Task The_callers_own_refused_data_is_listed_in_its_409()
    {
        await WithRefusedExternalActionAsync(Acme, async number =>
        {
            var problem = await Expect(await PostApply(AcmeAdmin.Client), HttpStatusCode.Conflict);
            AssertConflict(problem, own: 1, elsewhere: 0);
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(number.Number).And.Contain("APPLICATION_NOT_ALLOWED"));
        });
        Assert.That(Status(await ApplyOkAsync()), Is.AnyOf("SUCCEEDED", "NO_CHANGES"), "once the row is gone, apply works again");
    }
}
