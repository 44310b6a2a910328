using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Routing;

public sealed class AssignmentTests : ApiFixture
{
    private TestTenant _acme = null!;
    private TestTenant _other = null!;
    private TestUser _admin = null!;
    private TestUser _alice = null!;
    private TestUser _stranger = null!;

    [OneTimeSetUp]
    public async Task Tenants()
    {
        _acme = await CreateTenantAsync("acme");
        _other = await CreateTenantAsync("other");
        _admin = await CreateUserAsync("TENANT_ADMIN", _acme.Id);
        _alice = await CreateUserAsync("USER", _acme.Id, "1001");
        _stranger = await CreateUserAsync("USER", _other.Id, "1001");
    }

    private Task<HttpResponseMessage> Assign(Guid numberId, object body, HttpClient? by = null) =>
        (by ?? _admin.Client).PostAsJsonAsync($"/api/v1/dids/{numberId}/assign", body);

    private Task<HttpResponseMessage> Replace(Guid numberId, object body) =>
        _admin.Client.PutAsJsonAsync($"/api/v1/dids/{numberId}/assign", body);

    /// <summary>The number's audit rows, newest first.</summary>
    private async Task<List<System.Text.Json.JsonElement>> AuditOf(Guid numberId) =>
        (await Expect(await Admin.GetAsync($"/api/v1/audit-logs?entity_id={numberId}"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().ToList();

    [Test]
    public async Task Assigning_to_a_user_returns_the_assignment_and_marks_the_number_assigned()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var body = await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _alice.Id }), HttpStatusCode.Created);
        Assert.That(body.GetProperty("phone_number_id").GetGuid(), Is.EqualTo(number.Id));
        Assert.That(body.GetProperty("phone_number").GetString(), Is.EqualTo(number.Number));
        Assert.That(body.GetProperty("assigned_type").GetString(), Is.EqualTo("USER"));
        Assert.That(body.GetProperty("assigned_id").GetGuid(), Is.EqualTo(_alice.Id));
        Assert.That(body.GetProperty("assigned_value").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(body.GetProperty("created_by").GetGuid(), Is.EqualTo(_admin.Id));
        Assert.That(body.GetProperty("destination").GetString(), Is.EqualTo($"USER {_alice.Email} (1001)"));
        Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("ASSIGNED"));
    }

    [Test]
    public async Task Assigning_an_assigned_number_is_a_409_naming_the_destination()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _alice.Id }), HttpStatusCode.Created);
        var body = await Expect(await Assign(number.Id, new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo($"DID {number.Number} is already assigned to user {_alice.Email} (1001)."));
    }

    [Test]
    public async Task Target_in_another_tenant_is_a_400_like_a_missing_one()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var body = await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _stranger.Id }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo($"User {_stranger.Id} not found or not in your tenant."));
        Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("ALLOCATED"));
    }

    [Test]
    public async Task Platform_admin_cannot_route_a_number_to_another_tenants_user_either()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _stranger.Id }, Admin), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Another_tenants_number_is_a_404_for_a_tenant_admin()
    {
        var number = (await SeedNumbersAsync(_other.Id))[0];
        var theirs = await Expect(await Assign(number.Id, new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }), HttpStatusCode.NotFound);
        var missing = await Expect(await Assign(Guid.NewGuid(), new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }), HttpStatusCode.NotFound);
        Assert.That(theirs.GetProperty("title").GetString(), Is.EqualTo(missing.GetProperty("title").GetString()));
        await Expect(await _admin.Client.DeleteAsync($"/api/v1/dids/{number.Id}/assign"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task An_unallocated_number_cannot_be_assigned()
    {
        var number = (await SeedNumbersAsync(null))[0];
        await Expect(await Assign(number.Id, new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }), HttpStatusCode.NotFound);
        var body = await Expect(await Assign(number.Id, new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }, Admin), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("not allocated"));
    }

    [Test]
    public async Task Put_replaces_the_destination_in_one_step()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _alice.Id }), HttpStatusCode.Created);
        var body = await Expect(await Replace(number.Id, new { assigned_type = "EXTERNAL", assigned_value = "VoiceMail(1001@tenant-acme)" }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("assigned_type").GetString(), Is.EqualTo("EXTERNAL"));
        Assert.That(body.GetProperty("assigned_value").GetString(), Is.EqualTo("VoiceMail(1001@tenant-acme)"));
        Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("ASSIGNED"));
        var latest = (await AuditOf(number.Id))[0];
        Assert.That(latest.GetProperty("action").GetString(), Is.EqualTo("REASSIGN"));
        Assert.That(latest.GetProperty("before").GetProperty("assigned_type").GetString(), Is.EqualTo("USER"));
        Assert.That(latest.GetProperty("after").GetProperty("assigned_type").GetString(), Is.EqualTo("EXTERNAL"));
    }

    [Test]
    public async Task Unassign_makes_the_number_allocated_again_and_a_second_one_is_404()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _alice.Id }), HttpStatusCode.Created);
        await Expect(await _admin.Client.DeleteAsync($"/api/v1/dids/{number.Id}/assign"), HttpStatusCode.NoContent);
        Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("ALLOCATED"));
        await Expect(await _admin.Client.DeleteAsync($"/api/v1/dids/{number.Id}/assign"), HttpStatusCode.NotFound);
        Assert.That((await AuditOf(number.Id)).Select(a => a.GetProperty("action").GetString()), Is.EqualTo(new[] { "UNASSIGN", "ASSIGN" }));
    }

    [TestCase("USER", null)]
    [TestCase("EXTERNAL", null)]
    public async Task Missing_target_field_is_a_400(string type, string? value) =>
        await Expect(await Assign(Guid.NewGuid(), new { assigned_type = type, assigned_value = value }), HttpStatusCode.BadRequest);

    [TestCase("VoiceMail(1001@tenant-acme)", "VoiceMail(1001@tenant-acme)")]
    [TestCase("VoiceMail(1001)", "VoiceMail(1001@tenant-acme)")] // a bare mailbox is pinned to the own tenant
    [TestCase("Playback(custom/closed)", "Playback(custom/closed)")]
    [TestCase("Goto(tenant-acme,1001,1)", "Goto(tenant-acme,1001,1)")]
    [TestCase("Goto(acme_ivr_main,s,1)", "Goto(acme_ivr_main,s,1)")]
    [TestCase("Goto(tenant-acme-ivr-main,s,1)", "Goto(acme_ivr_main,s,1)")] // the old context name, written the current way
    [TestCase("Hangup()", "Hangup()")]
    [TestCase("Busy()", "Busy()")]
    [TestCase("Congestion()", "Congestion()")]
    public async Task Allowed_external_actions_are_stored(string value, string stored)
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var body = await Expect(await Assign(number.Id, new { assigned_type = "EXTERNAL", assigned_value = value }), HttpStatusCode.Created);
        Assert.That(body.GetProperty("assigned_value").GetString(), Is.EqualTo(stored));
        Assert.That(body.GetProperty("destination").GetString(), Is.EqualTo("EXTERNAL " + stored));
    }

    [TestCase("Hangup()\n[ctx]", "CONTROL_CHARACTER")]
    [TestCase("Playback(x)\r\nexten => _X.,1,System(id)", "CONTROL_CHARACTER")]
    [TestCase("System(rm -rf /)", "APPLICATION_NOT_ALLOWED")]
    [TestCase("Set(x=${SHELL(id)})", "")]
    [TestCase("${SHELL(id)}", "")]
    [TestCase("Goto(tenant-other,1,1)", "CROSS_TENANT_REFERENCE")]
    [TestCase("VoiceMail(1001@tenant-other)", "CROSS_TENANT_REFERENCE")]
    [TestCase("Dial(PJSIP/x)&System(x)", "")]
    [TestCase("Playback(x);System(id)", "")]
    [TestCase("Playback(\"x\")", "")]
    [TestCase("Playback(../../etc/passwd)", "")]
    [TestCase("Dial(PJSIP/other-1001)", "APPLICATION_NOT_ALLOWED")]
    [TestCase("", "")]
    public async Task Hostile_external_actions_are_refused_with_the_rule_and_change_nothing(string value, string rule)
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var body = await Expect(await Assign(number.Id, new { assigned_type = "EXTERNAL", assigned_value = value }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").TryGetProperty("assigned_value", out _), Is.True, body.ToString());
        if (rule.Length > 0) Assert.That(body.GetProperty("rule").GetString(), Is.EqualTo(rule));
        Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("ALLOCATED"));
    }

    [Test]
    public async Task Long_external_action_is_refused()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var body = await Expect(await Assign(number.Id, new { assigned_type = "EXTERNAL", assigned_value = $"Playback({new string('a', 260)})" }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("rule").GetString(), Is.EqualTo("TOO_LONG"));
    }

    [Test]
    public async Task Fifty_concurrent_assigns_of_one_number_give_one_201_and_49_409s()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var targets = new List<TestUser>();
        for (var i = 0; i < 5; i++) targets.Add(await CreateUserAsync("USER", _acme.Id, $"50{i}0"));
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await Assign(number.Id, new { assigned_type = "USER", assigned_id = targets[i % 5].Id });
        })).ToList();
        start.Set();
        var responses = await Task.WhenAll(tasks);
        var codes = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.That(codes.Count(c => c == 201), Is.EqualTo(1), string.Join(",", codes));
        Assert.That(codes.Count(c => c == 409), Is.EqualTo(49), string.Join(",", codes));
        await using var conn = await Db.OpenConnectionAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM did_assignments WHERE phone_number_id = @id", new { id = number.Id }), Is.EqualTo(1));
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_logs WHERE entity_id = @id AND action = 'ASSIGN'", new { id = number.Id }), Is.EqualTo(1));
    }

    [Test]
    public async Task Deleting_a_routed_user_is_a_409_listing_the_numbers()
    {
        var bob = await CreateUserAsync("USER", _acme.Id, "1101");
        var numbers = await SeedNumbersAsync(_acme.Id, 2);
        foreach (var n in numbers) await Expect(await Assign(n.Id, new { assigned_type = "USER", assigned_id = bob.Id }), HttpStatusCode.Created);
        var body = await Expect(await _admin.Client.DeleteAsync($"/api/v1/users/{bob.Id}"), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(numbers[0].Number).And.Contain(numbers[1].Number).And.Contain("2 number(s)"));
    }

    [Test]
    public async Task Deleting_a_routed_queue_or_ivr_is_a_409_listing_the_number()
    {
        var queue = await Expect(await _admin.Client.PostAsJsonAsync("/api/v1/queues", new { name = Unique("q"), strategy = "RINGALL", member_ring_seconds = 10 }), HttpStatusCode.Created);
        var ivr = await Expect(await _admin.Client.PostAsJsonAsync("/api/v1/ivrs", new { name = Unique("i"), greeting = "g", timeout_seconds = 5 }), HttpStatusCode.Created);
        var numbers = await SeedNumbersAsync(_acme.Id, 2);
        await Expect(await Assign(numbers[0].Id, new { assigned_type = "QUEUE", assigned_id = queue.GetProperty("id").GetGuid() }), HttpStatusCode.Created);
        await Expect(await Assign(numbers[1].Id, new { assigned_type = "IVR", assigned_id = ivr.GetProperty("id").GetGuid() }), HttpStatusCode.Created);
        var q = await Expect(await _admin.Client.DeleteAsync($"/api/v1/queues/{queue.GetProperty("id").GetGuid()}"), HttpStatusCode.Conflict);
        var i = await Expect(await _admin.Client.DeleteAsync($"/api/v1/ivrs/{ivr.GetProperty("id").GetGuid()}"), HttpStatusCode.Conflict);
        Assert.That(q.GetProperty("detail").GetString(), Does.Contain(numbers[0].Number));
        Assert.That(i.GetProperty("detail").GetString(), Does.Contain(numbers[1].Number));
    }

    [Test]
    public async Task Changing_a_users_extension_keeps_its_numbers_routed_to_it()
    {
        var carol = await CreateUserAsync("USER", _acme.Id, "1201");
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = carol.Id }), HttpStatusCode.Created);
        await Expect(await Patch(_admin.Client, $"/api/v1/users/{carol.Id}", new { extension = "1202" }), HttpStatusCode.OK);
        var again = await Expect(await Assign(number.Id, new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }), HttpStatusCode.Conflict);
        Assert.That(again.GetProperty("detail").GetString(), Does.Contain("(1202)"));
    }

    [Test]
    public async Task Removing_the_extension_of_a_routed_user_is_a_409()
    {
        var dave = await CreateUserAsync("USER", _acme.Id, "1301");
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = dave.Id }), HttpStatusCode.Created);
        var body = await Expect(await Patch(_admin.Client, $"/api/v1/users/{dave.Id}", new { extension = "" }), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(number.Number));
    }

    [Test]
    public async Task The_database_refuses_a_cross_tenant_assignment_even_without_the_api()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await using var conn = await Db.OpenConnectionAsync();
        var error = Assert.ThrowsAsync<Npgsql.PostgresException>(() => conn.ExecuteAsync("""
            INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_id)
            VALUES (gen_random_uuid(), @number, @tenant, 'USER', @user)
            """, new { number = number.Id, tenant = _acme.Id, user = _stranger.Id }));
        Assert.That(error!.ConstraintName, Is.EqualTo("fk_did_assignments_user"));
    }

    [Test]
    public async Task A_new_route_never_silently_replaces_a_route_the_numbers_status_does_not_show()
    {
        // A state the API never leaves (a route while the status still says ALLOCATED), made by hand: POST decides from
        // the locked status, and the unique key on the route's number is what stops it from overwriting the route.
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync("""
                INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_value)
                VALUES (gen_random_uuid(), @number, @tenant, 'EXTERNAL', 'Hangup()')
                """, new { number = number.Id, tenant = _acme.Id });
        var body = await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _alice.Id }), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Is.EqualTo("The number is already assigned."));
        await using (var conn = await Db.OpenConnectionAsync())
        {
            var (type, value, audits) = await conn.QuerySingleAsync<(string, string, long)>("""
                SELECT a.assigned_type, a.assigned_value,
                       (SELECT count(*) FROM audit_logs WHERE entity_id = @number AND action = 'ASSIGN')
                FROM did_assignments a WHERE a.phone_number_id = @number
                """, new { number = number.Id });
            Assert.That((type, value, audits), Is.EqualTo(("EXTERNAL", "Hangup()", 0L)));
            Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("ALLOCATED"));
            // The fixture's other tests list this tenant's numbers: leave no state the API could not have made.
            await conn.ExecuteAsync("DELETE FROM did_assignments WHERE phone_number_id = @number", new { number = number.Id });
        }
    }

    [Test]
    public async Task The_audit_of_an_unassign_holds_exactly_the_route_it_removed()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _alice.Id }), HttpStatusCode.Created);
        var replaced = await Expect(await Replace(number.Id, new { assigned_type = "EXTERNAL", assigned_value = "Playback(custom/closed)" }), HttpStatusCode.OK);
        await Expect(await _admin.Client.DeleteAsync($"/api/v1/dids/{number.Id}/assign"), HttpStatusCode.NoContent);

        var audit = (await AuditOf(number.Id))[0];
        Assert.That(audit.GetProperty("action").GetString(), Is.EqualTo("UNASSIGN"));
        Assert.That(audit.GetProperty("tenant_id").GetGuid(), Is.EqualTo(_acme.Id));
        Assert.That(audit.GetProperty("actor_id").GetGuid(), Is.EqualTo(_admin.Id));
        Assert.That(audit.GetProperty("after").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(audit.GetProperty("before").GetRawText()), JsonNode.Parse(replaced.GetRawText())), Is.True,
            $"audit before {audit.GetProperty("before")} vs the route as PUT returned it {replaced}");
    }

    [Test]
    public async Task Unassigning_another_tenants_routed_number_is_a_404_that_changes_nothing()
    {
        var theirs = (await SeedNumbersAsync(_other.Id))[0];
        var theirAdmin = await CreateUserAsync("TENANT_ADMIN", _other.Id);
        await Expect(await Assign(theirs.Id, new { assigned_type = "USER", assigned_id = _stranger.Id }, theirAdmin.Client), HttpStatusCode.Created);

        await Expect(await _admin.Client.DeleteAsync($"/api/v1/dids/{theirs.Id}/assign"), HttpStatusCode.NotFound);

        Assert.That(await NumberStatusAsync(theirs.Id), Is.EqualTo("ASSIGNED"));
        Assert.That((await AuditOf(theirs.Id)).Select(a => a.GetProperty("action").GetString()), Is.EqualTo(new[] { "ASSIGN" }));
        await using var conn = await Db.OpenConnectionAsync();
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM did_assignments WHERE phone_number_id = @id", new { id = theirs.Id }),
            Is.EqualTo(1));
    }

    [Test]
    public async Task The_audit_of_an_assign_and_of_a_replace_holds_exactly_the_assignment_returned_and_stored()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        var created = await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _alice.Id }), HttpStatusCode.Created);
        var replaced = await Expect(await Replace(number.Id, new { assigned_type = "EXTERNAL", assigned_value = "Hangup()" }), HttpStatusCode.OK);

        var audit = await AuditOf(number.Id);
        Assert.That(audit.Select(a => a.GetProperty("action").GetString()), Is.EqualTo(new[] { "REASSIGN", "ASSIGN" }));
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(audit[1].GetProperty("after").GetRawText()), JsonNode.Parse(created.GetRawText())), Is.True,
            $"audit after {audit[1].GetProperty("after")} vs 201 body {created}");
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(audit[0].GetProperty("before").GetRawText()), JsonNode.Parse(created.GetRawText())), Is.True);
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(audit[0].GetProperty("after").GetRawText()), JsonNode.Parse(replaced.GetRawText())), Is.True,
            $"audit after {audit[0].GetProperty("after")} vs 200 body {replaced}");

        // A replace keeps the row (id, creator, creation time) and moves only updated_at.
        Assert.That(replaced.GetProperty("id").GetGuid(), Is.EqualTo(created.GetProperty("id").GetGuid()));
        Assert.That(replaced.GetProperty("created_at").GetDateTime(), Is.EqualTo(created.GetProperty("created_at").GetDateTime()));
        Assert.That(replaced.GetProperty("updated_at").GetDateTime(), Is.GreaterThan(created.GetProperty("updated_at").GetDateTime()));

        await using var conn = await Db.OpenConnectionAsync();
        var row = await conn.QuerySingleAsync<(Guid Id, DateTime CreatedAt, DateTime UpdatedAt, Guid CreatedBy)>(
            "SELECT id, created_at, updated_at, created_by FROM did_assignments WHERE phone_number_id = @id", new { id = number.Id });
        Assert.That(row.Id, Is.EqualTo(replaced.GetProperty("id").GetGuid()));
        Assert.That(row.CreatedAt, Is.EqualTo(replaced.GetProperty("created_at").GetDateTime().ToUniversalTime()));
        Assert.That(row.UpdatedAt, Is.EqualTo(replaced.GetProperty("updated_at").GetDateTime().ToUniversalTime()));
        Assert.That(row.CreatedBy, Is.EqualTo(_admin.Id));
    }

    [Test]
    public async Task A_failed_audit_write_leaves_the_assignment_and_the_status_as_they_were()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync($"""
                CREATE FUNCTION fail_assign_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.entity_id = '{number.Id}' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER fail_assign_audit BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION fail_assign_audit();
                """);
        try
        {
            Assert.That((int)(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _alice.Id })).StatusCode, Is.EqualTo(500));
            Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("ALLOCATED"));
            await using var conn = await Db.OpenConnectionAsync();
            Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM did_assignments WHERE phone_number_id = @id", new { id = number.Id }), Is.Zero);
            // The pooled connection that failed mid-batch is clean again: the next requests work.
            var other = (await SeedNumbersAsync(_acme.Id))[0];
            for (var i = 0; i < 20; i++)
            {
                await Expect(await Assign(other.Id, new { assigned_type = "USER", assigned_id = _alice.Id }), HttpStatusCode.Created);
                await Expect(await _admin.Client.DeleteAsync($"/api/v1/dids/{other.Id}/assign"), HttpStatusCode.NoContent);
            }
        }
        finally
        {
            await using var conn = await Db.OpenConnectionAsync();
            await conn.ExecuteAsync("DROP TRIGGER fail_assign_audit ON audit_logs; DROP FUNCTION fail_assign_audit();");
        }
    }

    [Test]
    public async Task A_failed_audit_write_leaves_an_unassign_undone()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _alice.Id }), HttpStatusCode.Created);
        await using (var conn = await Db.OpenConnectionAsync())
            await conn.ExecuteAsync($"""
                CREATE FUNCTION fail_unassign_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.entity_id = '{number.Id}' AND NEW.action = 'UNASSIGN' THEN RAISE EXCEPTION 'audit refused'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER fail_unassign_audit BEFORE INSERT ON audit_logs FOR EACH ROW EXECUTE FUNCTION fail_unassign_audit();
                """);
        try
        {
            Assert.That((int)(await _admin.Client.DeleteAsync($"/api/v1/dids/{number.Id}/assign")).StatusCode, Is.EqualTo(500));
            Assert.That(await NumberStatusAsync(number.Id), Is.EqualTo("ASSIGNED"));
            var one = await Expect(await _admin.Client.GetAsync($"/api/v1/dids/{number.Id}"), HttpStatusCode.OK);
            Assert.That(one.GetProperty("assignment").GetProperty("assigned_id").GetGuid(), Is.EqualTo(_alice.Id));
        }
        finally
        {
            await using var conn = await Db.OpenConnectionAsync();
            await conn.ExecuteAsync("DROP TRIGGER fail_unassign_audit ON audit_logs; DROP FUNCTION fail_unassign_audit();");
        }
    }

    [Test]
    public async Task List_and_get_show_the_assignment_with_a_readable_destination_and_filter_by_type()
    {
        var numbers = await SeedNumbersAsync(_acme.Id, 2);
        await Expect(await Assign(numbers[0].Id, new { assigned_type = "USER", assigned_id = _alice.Id }), HttpStatusCode.Created);
        await Expect(await Assign(numbers[1].Id, new { assigned_type = "EXTERNAL", assigned_value = "Playback(custom/closed)" }), HttpStatusCode.Created);

        var one = await Expect(await _admin.Client.GetAsync($"/api/v1/dids/{numbers[0].Id}"), HttpStatusCode.OK);
        Assert.That(one.GetProperty("status").GetString(), Is.EqualTo("ASSIGNED"));
        Assert.That(one.GetProperty("assignment").GetProperty("destination").GetString(), Is.EqualTo($"USER {_alice.Email} (1001)"));
        Assert.That(one.GetProperty("assignment").GetProperty("assigned_type").GetString(), Is.EqualTo("USER"));

        var external = await Expect(await _admin.Client.GetAsync("/api/v1/dids?assigned_type=EXTERNAL&page_size=200"), HttpStatusCode.OK);
        var items = external.GetProperty("items").EnumerateArray().ToList();
        Assert.That(items.Select(i => i.GetProperty("number").GetString()), Does.Contain(numbers[1].Number).And.Not.Contain(numbers[0].Number));
        Assert.That(items.Select(i => i.GetProperty("assignment").GetProperty("assigned_type").GetString()), Is.All.EqualTo("EXTERNAL"));
        var entry = items.Single(i => i.GetProperty("number").GetString() == numbers[1].Number);
        Assert.That(entry.GetProperty("assignment").GetProperty("destination").GetString(), Is.EqualTo("EXTERNAL Playback(custom/closed)"));
    }

    [Test]
    public async Task Deallocating_an_assigned_number_ends_its_route_and_quarantines_it()
    {
        var number = (await SeedNumbersAsync(_acme.Id))[0];
        await Expect(await Assign(number.Id, new { assigned_type = "USER", assigned_id = _alice.Id }), HttpStatusCode.Created);
        var body = await Expect(await Admin.PatchAsync($"/api/v1/dids/{number.Id}/deallocate", null), HttpStatusCode.OK);
        Assert.That((body.GetProperty("status").GetString(), body.GetProperty("assignment").ValueKind), Is.EqualTo(("QUARANTINED", System.Text.Json.JsonValueKind.Null)));
        var did = await Expect(await Admin.GetAsync($"/api/v1/dids/{number.Id}"), HttpStatusCode.OK);
        Assert.That(did.GetProperty("assignment").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
    }
}
