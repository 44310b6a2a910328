using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Dids;

/// <summary>A number's audit rows and its updated_at are stamped in the order its row lock was held, not in the order the
/// transactions began. The race: an allocation begins its transaction and waits (for its tenant's row, held by the test);
/// meanwhile a quarantine end, begun later, takes the number's lock and commits; then the allocation takes the number's
/// lock and allocates what the quarantine end left. Stamped with the transaction's start (now()), the allocation's row
/// came before the quarantine end's although its <c>before</c> is the quarantine end's <c>after</c>.</summary>
public sealed class StampOrderTests : DidFixture
{
    private async Task<JsonElement[]> HistoryAsync(Guid id) =>
        (await Expect(await Admin.GetAsync($"/api/v1/dids/{id}/history?page_size=200"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToArray();

    private static string Describe(JsonElement? state) => state is { ValueKind: JsonValueKind.Object } s
        ? $"{s.GetProperty("status").GetString()}/{(s.GetProperty("tenant_id").ValueKind == JsonValueKind.Null ? "-" : s.GetProperty("tenant_id").GetGuid().ToString())}"
        : "none";

    private static JsonElement? State(JsonElement entry, string side) =>
        entry.TryGetProperty(side, out var s) && s.ValueKind != JsonValueKind.Null ? s : null;

    /// <summary>Each entry's state before (status, tenant) is the state the entry before it left.</summary>
    private static void AssertChain(IReadOnlyList<(string Action, string Before, string After)> entries, string what)
    {
        var listed = string.Join(", ", entries.Select(e => $"{e.Action} {e.Before} -> {e.After}"));
        for (var i = 1; i < entries.Count; i++)
            Assert.That(entries[i].Before, Is.EqualTo(entries[i - 1].After), $"{what}, sorted by time, is not one chain: {listed}");
    }

    private sealed record AuditRow(string Action, DateTime At, string? Before, string? After);

    [TestCase("single")]
    [TestCase("bulk")]
    public async Task An_allocation_that_began_before_a_quarantine_end_but_locked_the_number_after_it_is_stamped_after_it(string how)
    {
        var from = await CreateTenantAsync();
        var to = await CreateTenantAsync();
        var number = NewNumber();
        var id = (await ImportAsync(number))[number];
        await Expect(await Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = from.Id }), HttpStatusCode.OK);
        await Expect(await Admin.PatchAsync($"/api/v1/dids/{id}/deallocate", null), HttpStatusCode.OK);

        JsonElement ended;
        Task<HttpResponseMessage> allocate;
        var (gate, tx, pid) = await LockWaits.HoldRowAsync(App.ConnectionString, "tenants", to.Id);
        await using (gate)
        {
            // The allocation's transaction begins with its lock of the tenant, and waits there.
            allocate = how == "single"
                ? Patch(Admin, $"/api/v1/dids/{id}/allocate", new { tenant_id = to.Id })
                : Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = to.Id, numbers = new[] { number } });
            await LockWaits.UntilBlockedByAsync(Db, pid, allocate);

            ended = await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{id}/quarantine/end", new { reason = "stamp order" }), HttpStatusCode.OK);
            await tx.RollbackAsync();
        }
        var allocated = await Expect(await allocate, HttpStatusCode.OK);
        if (how == "bulk") Assert.That(allocated.GetProperty("updated").GetInt64(), Is.EqualTo(1));

        var history = await HistoryAsync(id);
        Assert.That(history.Select(e => e.GetProperty("action").GetString()),
            Is.EqualTo(new[] { "IMPORT", "ALLOCATE", "DEALLOCATE", "END_QUARANTINE", "ALLOCATE" }), "the history, oldest first");
        AssertChain([.. history.Select(e => (e.GetProperty("action").GetString()!, Describe(State(e, "before")), Describe(State(e, "after"))))],
            "GET /dids/{id}/history");

        await using var conn = await Db.OpenConnectionAsync();
        var rows = (await conn.QueryAsync<AuditRow>("""
            SELECT a.action, a.at, a.before::text AS before, a.after::text AS after
            FROM audit_logs a
            WHERE a.entity_type = 'PHONE_NUMBER' AND a.entity_id = @id
               OR a.id IN (SELECT audit_log_id FROM audit_log_numbers WHERE phone_number_id = @id)
            ORDER BY a.at, a.id
            """, new { id })).ToList();
        Assert.That(rows.Select(r => r.Action), Is.EqualTo(new[] { "ALLOCATE", "DEALLOCATE", "END_QUARANTINE", "ALLOCATE" }),
            $"the audit rows of the number by at: {string.Join(", ", rows.Select(r => $"{r.Action} {r.At:O}"))}");
        Assert.That(rows[3].At, Is.GreaterThan(rows[2].At), "the allocation's row is stamped after the quarantine end it allocated from");

        var endedAt = ended.GetProperty("updated_at").GetDateTime().ToUniversalTime();
        var stored = (await conn.ExecuteScalarAsync<DateTime>("SELECT updated_at FROM phone_numbers WHERE id = @id", new { id })).ToUniversalTime();
        Assert.That(stored, Is.GreaterThan(endedAt), "updated_at went backwards: the allocation stamped it before the quarantine end's");
        Assert.That(await NumberStatusAsync(id), Is.EqualTo("ALLOCATED"));
    }
}
