using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Did.Tests.Dids;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

/// <summary>Every audited change writes one row naming who did it (actor), in which tenant, to what (entity), and the
/// object before and after, as the API shows it. Applies run against a node without AMI, which only writes files.</summary>
public sealed class AuditTests : DidFixture
{
    private string _root = null!;
    private Guid _platformAdmin;
    private TestTenant _tenant = null!;
    private TestUser _tenantAdmin = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Asterisk:ConfigDir"] = Path.Combine(_root, "asterisk"),
        ["Apply:WorkDir"] = Path.Combine(_root, "work"),
    };

    protected override Task BeforeServiceStartsAsync()
    {
        _root = Directory.CreateTempSubdirectory("did-audit-test-").FullName;
        Directory.CreateDirectory(Path.Combine(_root, "asterisk"));
        return Task.CompletedTask;
    }

    [OneTimeSetUp]
    public async Task Callers()
    {
        await using (var conn = await Db.OpenConnectionAsync())
            _platformAdmin = await conn.ExecuteScalarAsync<Guid>("SELECT id FROM users WHERE email = @email", new { email = DidApp.AdminEmail });
        _tenant = await CreateTenantAsync();
        _tenantAdmin = await CreateUserAsync("TENANT_ADMIN", _tenant.Id);
    }

    [OneTimeTearDown]
    public void RemoveApplyFolders() => Directory.Delete(_root, recursive: true);

    private sealed record AuditRow(Guid? ActorId, string Action, string EntityType, Guid? EntityId, Guid? TenantId, string? Before, string? After);

    /// <summary>The one audit row of <paramref name="action"/> on the entity (or, for changes of many numbers, with no
    /// entity and this tenant).</summary>
    private async Task<AuditRow> TheAuditRowAsync(string action, string entityType, Guid? entityId, Guid? tenantId = null)
    {
        await using var conn = await Db.OpenConnectionAsync();
        var rows = (await conn.QueryAsync<AuditRow>("""
            SELECT actor_id, action, entity_type, entity_id, tenant_id, before::text AS before, after::text AS after
            FROM audit_logs
            WHERE action = @action AND entity_type = @entityType
              AND (entity_id = @entityId OR (@entityId::uuid IS NULL AND entity_id IS NULL AND tenant_id IS NOT DISTINCT FROM @tenantId))
            """, new { action, entityType, entityId, tenantId })).ToList();
        Assert.That(rows, Has.Count.EqualTo(1), $"one {action} row of {entityType} {entityId}");
        return rows[0];
    }

    private static void AssertJson(string? stored, JsonElement? expected, string what)
    {
        if (expected is not { } e)
        {
            Assert.That(stored, Is.Null, what);
            return;
        }
        Assert.That(stored, Is.Not.Null, what);
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(stored!), JsonNode.Parse(e.GetRawText())), Is.True, $"{what}: stored {stored}, expected {e}");
    }

    /// <summary>Asserts the row's actor and tenant, and that before and after are exactly the given API objects.</summary>
    private static void AssertRow(AuditRow row, Guid? actor, Guid? tenant, JsonElement? before, JsonElement? after)
    {
        Assert.That((row.ActorId, row.TenantId), Is.EqualTo((actor, tenant)), $"actor and tenant of {row.Action} {row.EntityType}");
        AssertJson(row.Before, before, "before");
        AssertJson(row.After, after, "after");
    }

    private static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value);

    private async Task<JsonElement> GetAsync(string url) => await Expect(await Admin.GetAsync(url), HttpStatusCode.OK);

    [Test]
    public async Task Update_writes_one_row_with_before_after_actor_and_request()
    {
        var tenant = await CreateTenantAsync();
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/tenants/{tenant.Id}") { Content = JsonContent.Create(new { name = "After" }) };
        request.Headers.UserAgent.ParseAdd("audit-test/1.0");
        await Expect(await Admin.SendAsync(request), HttpStatusCode.OK);

        var body = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?entity_type=TENANT&entity_id={tenant.Id}"), HttpStatusCode.OK);
        var rows = body.GetProperty("items").EnumerateArray().ToList();
        Assert.That(rows.Select(r => r.GetProperty("action").GetString()), Is.EqualTo(new[] { "UPDATE", "CREATE" }), "newest first");
        var update = rows[0];
        Assert.That(update.GetProperty("before").GetProperty("name").GetString(), Is.EqualTo(tenant.Name));
        Assert.That(update.GetProperty("after").GetProperty("name").GetString(), Is.EqualTo("After"));
        Assert.That(update.GetProperty("tenant_id").GetGuid(), Is.EqualTo(tenant.Id));
        Assert.That(update.GetProperty("user_agent").GetString(), Is.EqualTo("audit-test/1.0"));
        Assert.That(update.GetProperty("request_id").GetString(), Is.Not.Empty);
        Assert.That(update.GetProperty("actor_id").GetGuid(), Is.EqualTo(_platformAdmin));
    }

    [Test]
    public async Task User_rows_never_hold_a_password_or_its_hash()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", tenant.Id);
        await Expect(await Patch(Admin, $"/api/v1/users/{user.Id}", new { password = "another-long-password" }), HttpStatusCode.OK);
        await using var conn = await Db.OpenConnectionAsync();
        var texts = (await conn.QueryAsync<string>("SELECT coalesce(before::text, '') || coalesce(after::text, '') FROM audit_logs WHERE entity_id = @id", new { id = user.Id })).ToList();
        Assert.That(texts, Has.Count.EqualTo(2));
        Assert.That(texts, Has.None.Contains("password").And.None.Contains("$2"));
    }

    [Test]
    public async Task An_admins_password_change_is_audited_as_a_password_change()
    {
        var user = await CreateUserAsync("USER", _tenant.Id);
        var before = await GetAsync($"/api/v1/users/{user.Id}");
        var after = await Expect(await Patch(_tenantAdmin.Client, $"/api/v1/users/{user.Id}", new { password = "an-admins-new-password" }),
            HttpStatusCode.OK);
        AssertRow(await TheAuditRowAsync("CHANGE_PASSWORD", "USER", user.Id), _tenantAdmin.Id, _tenant.Id, before, after);
        Assert.That(await CountAsync("UPDATE", user.Id), Is.Zero, "a password alone is no UPDATE");

        // The same fields sent back beside a password change nothing else: still the one password row.
        await Expect(await Patch(_tenantAdmin.Client, $"/api/v1/users/{user.Id}",
            new { password = "a-second-new-password", display_name = after.GetProperty("display_name").GetString() }), HttpStatusCode.OK);
        Assert.That(await CountAsync("UPDATE", user.Id), Is.Zero, "fields sent back unchanged are no UPDATE");
        Assert.That(await CountAsync("CHANGE_PASSWORD", user.Id), Is.EqualTo(2));
    }

    private async Task<long> CountAsync(string action, Guid entityId)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_logs WHERE action = @action AND entity_id = @entityId",
            new { action, entityId });
    }

    /// <summary>A reader looking for UPDATE rows finds the other fields' change; the password row says only that the
    /// password changed, on the user as it is after, so the user's rows still chain before to after.</summary>
    [Test]
    public async Task A_password_changed_with_other_fields_is_audited_as_an_update_and_a_password_change()
    {
        var user = await CreateUserAsync("USER", _tenant.Id);
        var before = await GetAsync($"/api/v1/users/{user.Id}");
        var after = await Expect(await Patch(_tenantAdmin.Client, $"/api/v1/users/{user.Id}",
            new { password = "an-admins-new-password", role = "TENANT_ADMIN", display_name = "Promoted" }), HttpStatusCode.OK);

        var rows = (await Expect(await _tenantAdmin.Client.GetAsync($"/api/v1/audit-logs?entity_type=USER&entity_id={user.Id}"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().ToList();
        Assert.That(rows.Select(r => r.GetProperty("action").GetString()), Is.EqualTo(new[] { "CHANGE_PASSWORD", "UPDATE", "CREATE" }), "newest first");
        Assert.That(rows.Select(r => r.GetProperty("request_id").GetString()).Take(2).Distinct().Count(), Is.EqualTo(1), "one request");
        AssertRow(await TheAuditRowAsync("UPDATE", "USER", user.Id), _tenantAdmin.Id, _tenant.Id, before, after);
        AssertRow(await TheAuditRowAsync("CHANGE_PASSWORD", "USER", user.Id), _tenantAdmin.Id, _tenant.Id, after, after);
        Assert.That(string.Join("", rows.Select(r => r.GetRawText())), Does.Not.Contain("an-admins-new-password").And.Not.Contain("$2"));
    }

    [Test]
    public async Task A_failed_audit_write_rolls_back_the_change_with_it()
    {
        var tenant = await CreateTenantAsync();
        await using (var conn = await Db.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("""
                CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.after->>'name' = 'poison' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER fail_audit BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION fail_audit();
                """);
        }
        try
        {
            var response = await Patch(Admin, $"/api/v1/tenants/{tenant.Id}", new { name = "poison" });
            Assert.That((int)response.StatusCode, Is.EqualTo(500));
            var after = await Expect(await Admin.GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.OK);
            Assert.That(after.GetProperty("name").GetString(), Is.EqualTo(tenant.Name), "the rename must not survive its audit row");
        }
        finally
        {
            await using var conn = await Db.OpenConnectionAsync();
            await conn.ExecuteAsync("DROP TRIGGER fail_audit ON audit_logs; DROP FUNCTION fail_audit();");
        }
    }

    [Test]
    public async Task A_refused_change_leaves_no_audit_row()
    {
        var tenant = await CreateTenantAsync();
        await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = "Again", slug = tenant.Slug }), HttpStatusCode.Conflict);
        var body = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?entity_type=TENANT&entity_id={tenant.Id}"), HttpStatusCode.OK);
        Assert.That(body.GetProperty("total").GetInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task Filters_by_actor_and_time_window()
    {
        var tenant = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var created = await CreateUserAsync("USER", tenant.Id, by: admin.Client);
        var body = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?actor_id={admin.Id}&from={Uri.EscapeDataString(from.ToString("O"))}"), HttpStatusCode.OK);
        Assert.That(body.GetProperty("total").GetInt64(), Is.EqualTo(1));
        Assert.That(body.GetProperty("items")[0].GetProperty("entity_id").GetGuid(), Is.EqualTo(created.Id));
        var none = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?actor_id={admin.Id}&to={Uri.EscapeDataString(from.AddMinutes(-5).ToString("O"))}"), HttpStatusCode.OK);
        Assert.That(none.GetProperty("total").GetInt64(), Is.Zero);
    }

    /// <summary>A time without Z or an offset names no instant: reading it in the server's zone would filter on a
    /// time the client never sent. RFC 3339 also requires the seconds.</summary>
    [TestCase("from", "2026-12-01T10:00:00")]
    [TestCase("from", "2026-12-01T10:00Z")]
    [TestCase("to", "2026-12-01T10:00+02:00")]
    [TestCase("to", "2026-12-01T10:00:00.5")]
    [TestCase("from", "2026-12-01")]
    [TestCase("to", "2026-12-01 10:00:00Z")]
    [TestCase("from", "2026-02-30T10:00:00Z")]
    public async Task A_time_filter_without_an_offset_or_seconds_or_that_does_not_exist_is_a_400_naming_it(string parameter, string value)
    {
        var messages = await Problems.FieldErrorsAsync(
            await Admin.GetAsync($"/api/v1/audit-logs?{parameter}={Uri.EscapeDataString(value)}"), parameter);
        Assert.That(messages[0], Does.Contain($"'{parameter}'").And.Contain($"'{value}'"));
    }

    [Test]
    public async Task A_time_filter_with_an_offset_is_read_as_that_instant()
    {
        var tenant = await CreateTenantAsync();
        var admin = await CreateUserAsync("TENANT_ADMIN", tenant.Id);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await CreateUserAsync("USER", tenant.Id, by: admin.Client);
        // The same instant as `before`, written five hours ahead of UTC.
        var ahead = Uri.EscapeDataString(before.ToOffset(TimeSpan.FromHours(5)).ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz"));
        var from = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?actor_id={admin.Id}&from={ahead}"), HttpStatusCode.OK);
        Assert.That(from.GetProperty("total").GetInt64(), Is.EqualTo(1));
        var to = await Expect(await Admin.GetAsync($"/api/v1/audit-logs?actor_id={admin.Id}&to={ahead}"), HttpStatusCode.OK);
        Assert.That(to.GetProperty("total").GetInt64(), Is.Zero);
    }

    [Test]
    public async Task A_window_that_ends_before_it_starts_is_a_400_naming_to() =>
        await Problems.FieldErrorsAsync(
            await Admin.GetAsync("/api/v1/audit-logs?from=2026-12-01T10:00:00Z&to=2026-12-01T11:00:00%2B02:00"), "to");

    [Test]
    public async Task Creating_a_tenant_writes_its_row_with_the_new_tenant()
    {
        var created = await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = "Audited", slug = Unique("a") }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        AssertRow(await TheAuditRowAsync("CREATE", "TENANT", id), _platformAdmin, id, null, created);
    }

    [Test]
    public async Task Deleting_a_tenant_writes_its_row_with_the_tenant_as_it_was()
    {
        var tenant = await CreateTenantAsync();
        var before = await GetAsync($"/api/v1/tenants/{tenant.Id}");
        await Expect(await Admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.NoContent);
        AssertRow(await TheAuditRowAsync("DELETE", "TENANT", tenant.Id), _platformAdmin, tenant.Id, before, null);
    }

    [Test]
    public async Task Creating_updating_and_deleting_a_user_write_their_rows()
    {
        var created = await Expect(await _tenantAdmin.Client.PostAsJsonAsync("/api/v1/users", new
        {
            email = $"{Unique("a")}@example.com", password = "correct-horse-battery", display_name = "Before", role = "USER", tenant_id = _tenant.Id,
        }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var updated = await Expect(await Patch(_tenantAdmin.Client, $"/api/v1/users/{id}", new { display_name = "After" }), HttpStatusCode.OK);
        await Expect(await _tenantAdmin.Client.DeleteAsync($"/api/v1/users/{id}"), HttpStatusCode.NoContent);

        AssertRow(await TheAuditRowAsync("CREATE", "USER", id), _tenantAdmin.Id, _tenant.Id, null, created);
        AssertRow(await TheAuditRowAsync("UPDATE", "USER", id), _tenantAdmin.Id, _tenant.Id, created, updated);
        AssertRow(await TheAuditRowAsync("DELETE", "USER", id), _tenantAdmin.Id, _tenant.Id, updated, null);
    }

    [Test]
    public async Task Creating_updating_and_deleting_an_ivr_write_their_rows()
    {
        var created = await Expect(await _tenantAdmin.Client.PostAsJsonAsync("/api/v1/ivrs",
            new { name = Unique("i"), greeting = "before", timeout_seconds = 5 }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var updated = await Expect(await Patch(_tenantAdmin.Client, $"/api/v1/ivrs/{id}", new { greeting = "after" }), HttpStatusCode.OK);
        await Expect(await _tenantAdmin.Client.DeleteAsync($"/api/v1/ivrs/{id}"), HttpStatusCode.NoContent);

        AssertRow(await TheAuditRowAsync("CREATE", "IVR", id), _tenantAdmin.Id, _tenant.Id, null, created);
        AssertRow(await TheAuditRowAsync("UPDATE", "IVR", id), _tenantAdmin.Id, _tenant.Id, created, updated);
        AssertRow(await TheAuditRowAsync("DELETE", "IVR", id), _tenantAdmin.Id, _tenant.Id, updated, null);
    }

    [Test]
    public async Task Creating_updating_and_deleting_a_queue_write_their_rows()
    {
        var created = await Expect(await _tenantAdmin.Client.PostAsJsonAsync("/api/v1/queues", QueueBodies.Create(Unique("q"))), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var updated = await Expect(await Patch(_tenantAdmin.Client, $"/api/v1/queues/{id}", new { strategy = "RANDOM" }), HttpStatusCode.OK);
        await Expect(await _tenantAdmin.Client.DeleteAsync($"/api/v1/queues/{id}"), HttpStatusCode.NoContent);

        AssertRow(await TheAuditRowAsync("CREATE", "QUEUE", id), _tenantAdmin.Id, _tenant.Id, null, created);
        AssertRow(await TheAuditRowAsync("UPDATE", "QUEUE", id), _tenantAdmin.Id, _tenant.Id, created, updated);
        AssertRow(await TheAuditRowAsync("DELETE", "QUEUE", id), _tenantAdmin.Id, _tenant.Id, updated, null);
    }

    [Test]
    public async Task Creating_updating_and_deleting_a_schedule_write_their_rows()
    {
        var created = await Expect(await _tenantAdmin.Client.PostAsJsonAsync("/api/v1/schedules", new
        {
            name = Unique("s"), timezone = "America/New_York",
            open = new[] { new { days = new[] { "MON" }, from = "09:00", to = "17:00" } },
            closed_dates = new[] { new { date = "2026-12-25", name = "Christmas Day" } },
        }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        var updated = await Expect(await Patch(_tenantAdmin.Client, $"/api/v1/schedules/{id}",
            new { open = new[] { new { days = new[] { "SAT", "SUN" }, from = "22:00", to = "02:00" } } }), HttpStatusCode.OK);
        await Expect(await _tenantAdmin.Client.DeleteAsync($"/api/v1/schedules/{id}"), HttpStatusCode.NoContent);

        AssertRow(await TheAuditRowAsync("CREATE", "SCHEDULE", id), _tenantAdmin.Id, _tenant.Id, null, created);
        AssertRow(await TheAuditRowAsync("UPDATE", "SCHEDULE", id), _tenantAdmin.Id, _tenant.Id, created, updated);
        AssertRow(await TheAuditRowAsync("DELETE", "SCHEDULE", id), _tenantAdmin.Id, _tenant.Id, updated, null);
    }

    /// <summary>The object as a PATCH body that sends every current value back: the object minus what PATCH does not take.</summary>
    private static JsonObject SentBack(JsonElement current, params string[] notTaken)
    {
        var body = JsonNode.Parse(current.GetRawText())!.AsObject();
        foreach (var name in notTaken.Concat(["id", "created_at", "updated_at"])) body.Remove(name);
        return body;
    }

    /// <summary>Each body changes nothing: the answer is the object as it was (updated_at included), it reads back the
    /// same, and no UPDATE row is written.</summary>
    private async Task AssertChangesNothingAsync(HttpClient by, string url, string entityType, JsonElement current, params object[] bodies)
    {
        var id = current.GetProperty("id").GetGuid();
        foreach (var body in bodies)
        {
            var answered = await Expect(await Patch(by, url, body), HttpStatusCode.OK);
            Assert.That(JsonNode.DeepEquals(JsonNode.Parse(answered.GetRawText()), JsonNode.Parse(current.GetRawText())), Is.True,
                $"PATCH {url} {JsonSerializer.Serialize(body)} answers the object unchanged: {answered}, was {current}");
            var read = await Expect(await by.GetAsync(url), HttpStatusCode.OK);
            Assert.That(read.GetProperty("updated_at").GetDateTime(), Is.EqualTo(current.GetProperty("updated_at").GetDateTime()),
                $"updated_at of {url} after {JsonSerializer.Serialize(body)}");
        }
        await using var conn = await Db.OpenConnectionAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM audit_logs WHERE action = 'UPDATE' AND entity_type = @entityType AND entity_id = @id", new { entityType, id }),
            Is.Zero, $"UPDATE rows of {entityType} {id}");
    }

    [Test]
    public async Task A_patch_that_changes_nothing_writes_no_row_and_keeps_updated_at()
    {
        var tenant = await CreateTenantAsync();
        var tenantBody = await GetAsync($"/api/v1/tenants/{tenant.Id}");
        await AssertChangesNothingAsync(Admin, $"/api/v1/tenants/{tenant.Id}", "TENANT", tenantBody,
            new { }, new { name = tenant.Name }, SentBack(tenantBody, "slug"));

        var member = await CreateUserAsync("USER", _tenant.Id, "1301");
        var user = await GetAsync($"/api/v1/users/{member.Id}");
        await AssertChangesNothingAsync(_tenantAdmin.Client, $"/api/v1/users/{member.Id}", "USER", user,
            new { }, new { extension = "1301" }, SentBack(user));

        var ivr = await Expect(await _tenantAdmin.Client.PostAsJsonAsync("/api/v1/ivrs", new
        {
            name = Unique("i"), greeting = "welcome", timeout_seconds = 5,
            options = new Dictionary<string, object> { ["2"] = new { type = "USER", id = member.Id }, ["1"] = new { type = "HANGUP" } },
        }), HttpStatusCode.Created);
        await AssertChangesNothingAsync(_tenantAdmin.Client, $"/api/v1/ivrs/{ivr.GetProperty("id").GetGuid()}", "IVR", ivr,
            new { }, new { greeting = "welcome" }, SentBack(ivr, "tenant_id"));

        var queueBody = QueueBodies.Create(Unique("q"));
        queueBody["members"] = new[] { member.Id };
        var queue = await Expect(await _tenantAdmin.Client.PostAsJsonAsync("/api/v1/queues", queueBody), HttpStatusCode.Created);
        await AssertChangesNothingAsync(_tenantAdmin.Client, $"/api/v1/queues/{queue.GetProperty("id").GetGuid()}", "QUEUE", queue,
            new { }, new { strategy = "RINGALL", members = new[] { member.Id } }, SentBack(queue, "tenant_id"));

        var schedule = await Expect(await _tenantAdmin.Client.PostAsJsonAsync("/api/v1/schedules", new
        {
            name = Unique("s"), timezone = "America/New_York",
            open = new[] { new { days = new[] { "MON", "TUE" }, from = "09:00", to = "17:00" } },
            closed_dates = new[] { new { date = "2026-12-25", name = "Christmas Day" } },
        }), HttpStatusCode.Created);
        await AssertChangesNothingAsync(_tenantAdmin.Client, $"/api/v1/schedules/{schedule.GetProperty("id").GetGuid()}", "SCHEDULE", schedule,
            new { }, new { timezone = "America/New_York" }, SentBack(schedule, "tenant_id"));
    }

    [Test]
    public async Task A_route_with_rules_and_failover_is_audited_whole_on_assign_reassign_and_unassign()
    {
        var user = await CreateUserAsync("USER", _tenant.Id, "1201");
        var schedule = (await Expect(await _tenantAdmin.Client.PostAsJsonAsync("/api/v1/schedules", new { name = Unique("s"), timezone = "UTC" }),
            HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var number = (await SeedNumbersAsync(_tenant.Id))[0];
        var url = $"/api/v1/dids/{number.Id}/assign";
        var assigned = await Expect(await _tenantAdmin.Client.PostAsJsonAsync(url, new
        {
            assigned_type = "USER", assigned_id = user.Id, ring_seconds = 15, failover = new { type = "EXTERNAL", value = "Hangup()" },
            rules = new[] { new { schedule_id = schedule, when = "CLOSED", destination = new { type = "EXTERNAL", value = "Playback(custom/closed)" } } },
        }), HttpStatusCode.Created);
        var reassigned = await Expect(await _tenantAdmin.Client.PutAsJsonAsync(url, new
        {
            assigned_type = "USER", assigned_id = user.Id,
            rules = new[] { new { caller_id = "WITHHELD", destination = new { type = "EXTERNAL", value = "Busy()" } } },
        }), HttpStatusCode.OK);
        await Expect(await _tenantAdmin.Client.DeleteAsync(url), HttpStatusCode.NoContent);

        AssertRow(await TheAuditRowAsync("ASSIGN", "PHONE_NUMBER", number.Id), _tenantAdmin.Id, _tenant.Id, null, assigned);
        AssertRow(await TheAuditRowAsync("REASSIGN", "PHONE_NUMBER", number.Id), _tenantAdmin.Id, _tenant.Id, assigned, reassigned);
        AssertRow(await TheAuditRowAsync("UNASSIGN", "PHONE_NUMBER", number.Id), _tenantAdmin.Id, _tenant.Id, reassigned, null);
        Assert.That(assigned.GetProperty("rules").GetArrayLength(), Is.EqualTo(1));
        Assert.That(assigned.GetProperty("failover").GetProperty("value").GetString(), Is.EqualTo("Hangup()"));
    }

    [Test]
    public async Task Allocating_deallocating_and_releasing_a_number_write_their_rows()
    {
        var number = (await SeedNumbersAsync(null))[0];
        var allocated = await Expect(await Patch(Admin, $"/api/v1/dids/{number.Id}/allocate", new { tenant_id = _tenant.Id }), HttpStatusCode.OK);
        var beforeDeallocate = await GetAsync($"/api/v1/dids/{number.Id}");
        var deallocated = await Expect(await Admin.PatchAsync($"/api/v1/dids/{number.Id}/deallocate", null), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number.Id}/quarantine/end", new { reason = "back to the carrier" }), HttpStatusCode.OK);
        var beforeRelease = await GetAsync($"/api/v1/dids/{number.Id}");
        await Expect(await Admin.DeleteAsync($"/api/v1/dids/{number.Id}"), HttpStatusCode.NoContent);

        AssertRow(await TheAuditRowAsync("ALLOCATE", "PHONE_NUMBER", number.Id), _platformAdmin, _tenant.Id,
            Json(new { status = "UNASSIGNED", tenant_id = (Guid?)null }), allocated);
        AssertRow(await TheAuditRowAsync("DEALLOCATE", "PHONE_NUMBER", number.Id), _platformAdmin, _tenant.Id, beforeDeallocate, deallocated);
        AssertRow(await TheAuditRowAsync("END_QUARANTINE", "PHONE_NUMBER", number.Id), _platformAdmin, null,
            Json(new
            {
                status = "QUARANTINED", tenant_id = (Guid?)null, quarantine_until = deallocated.GetProperty("quarantine_until"),
                quarantined_from_tenant_id = _tenant.Id,
            }),
            Json(new { status = "UNASSIGNED", tenant_id = (Guid?)null, reason = "back to the carrier" }));
        AssertRow(await TheAuditRowAsync("RELEASE", "PHONE_NUMBER", number.Id), _platformAdmin, null, beforeRelease, null);
    }

    [Test]
    public async Task Bulk_allocating_and_deallocating_write_one_row_each_with_the_numbers()
    {
        var tenant = await CreateTenantAsync();
        var numbers = NewNumbers(3);
        await ImportAsync(numbers);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/allocate", new { tenant_id = tenant.Id, numbers }), HttpStatusCode.OK);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/dids/deallocate", new { numbers }), HttpStatusCode.OK);
        var until = (await GetAsync($"/api/v1/dids?number={Uri.EscapeDataString(numbers[0])}")).GetProperty("items")[0].GetProperty("quarantine_until");

        AssertRow(await TheAuditRowAsync("ALLOCATE", "PHONE_NUMBER", null, tenant.Id), _platformAdmin, tenant.Id, null,
            Json(new { count = 3, tenant_id = tenant.Id, tenant_name = tenant.Name, numbers }));
        AssertRow(await TheAuditRowAsync("DEALLOCATE", "PHONE_NUMBER", null, tenant.Id), _platformAdmin, tenant.Id, null,
            Json(new { count = 3, tenants = new Dictionary<string, int> { [tenant.Id.ToString()] = 3 }, quarantine_until = until, numbers }));
    }

    [Test]
    public async Task Importing_writes_one_row_with_the_count_and_the_providers()
    {
        var numbers = NewNumbers(2);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/dids/import")
        {
            Content = JsonContent.Create(new { dids = numbers.Select(n => new { number = n, provider = "audit-carrier" }) }),
        };
        request.Headers.UserAgent.ParseAdd("audit-import/1.0");
        await Expect(await Admin.SendAsync(request), HttpStatusCode.Created);

        await using var conn = await Db.OpenConnectionAsync();
        var row = await conn.QuerySingleAsync<AuditRow>("""
            SELECT actor_id, action, entity_type, entity_id, tenant_id, before::text AS before, after::text AS after
            FROM audit_logs WHERE user_agent = 'audit-import/1.0'
            """);
        Assert.That((row.Action, row.EntityType, row.EntityId), Is.EqualTo(("IMPORT", "PHONE_NUMBER", (Guid?)null)));
        // The ids the import gave are its mark: a number's history finds its import by them.
        var ids = (await conn.QueryAsync<Guid>("SELECT id FROM phone_numbers WHERE number = ANY(@numbers) ORDER BY id", new { numbers })).ToList();
        AssertRow(row, _platformAdmin, null, null, Json(new
        {
            count = 2, providers = new Dictionary<string, int> { ["audit-carrier"] = 2 }, first_id = ids[0], last_id = ids[1],
        }));
    }

    [Test]
    public async Task Assigning_reassigning_and_unassigning_write_their_rows_in_the_numbers_tenant()
    {
        var user = await CreateUserAsync("USER", _tenant.Id, "1001");
        var number = (await SeedNumbersAsync(_tenant.Id))[0];
        var url = $"/api/v1/dids/{number.Id}/assign";
        var assigned = await Expect(await _tenantAdmin.Client.PostAsJsonAsync(url, new { assigned_type = "USER", assigned_id = user.Id }), HttpStatusCode.Created);
        var reassigned = await Expect(await _tenantAdmin.Client.PutAsJsonAsync(url, new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }), HttpStatusCode.OK);
        await Expect(await _tenantAdmin.Client.DeleteAsync(url), HttpStatusCode.NoContent);

        AssertRow(await TheAuditRowAsync("ASSIGN", "PHONE_NUMBER", number.Id), _tenantAdmin.Id, _tenant.Id, null, assigned);
        AssertRow(await TheAuditRowAsync("REASSIGN", "PHONE_NUMBER", number.Id), _tenantAdmin.Id, _tenant.Id, assigned, reassigned);
        AssertRow(await TheAuditRowAsync("UNASSIGN", "PHONE_NUMBER", number.Id), _tenantAdmin.Id, _tenant.Id, reassigned, null);
    }

    [Test]
    public async Task An_apply_writes_its_row_with_the_finished_job()
    {
        var job = await Expect(await _tenantAdmin.Client.PostAsync("/api/v1/apply", null), HttpStatusCode.OK);
        var id = job.GetProperty("id").GetGuid();
        AssertRow(await TheAuditRowAsync("APPLY", "APPLY_JOB", id), _tenantAdmin.Id, null, null, await GetAsync($"/api/v1/apply/jobs/{id}"));
    }

    [Test]
    public async Task A_job_recovered_at_start_is_audited_as_the_system()
    {
        var id = Guid.CreateVersion7();
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("INSERT INTO apply_jobs (id, status) VALUES (@id, 'RUNNING')", new { id });

        await using (var restarted = new DidApp(App.ConnectionString, Settings))
            restarted.CreateClient();

        var job = await GetAsync($"/api/v1/apply/jobs/{id}");
        Assert.That(job.GetProperty("status").GetString(), Is.EqualTo("FAILED"));
        AssertRow(await TheAuditRowAsync("APPLY", "APPLY_JOB", id), null, null, null, job);
    }

    [Test]
    public async Task The_first_platform_admin_is_audited_as_created_by_the_system_without_its_password()
    {
        var row = await TheAuditRowAsync("CREATE", "USER", _platformAdmin);
        AssertRow(row, null, null, null, Json(new
        {
            id = _platformAdmin, email = DidApp.AdminEmail, display_name = "Platform admin", role = "PLATFORM_ADMIN", source = "DID_ADMIN_EMAIL",
        }));
    }
}
