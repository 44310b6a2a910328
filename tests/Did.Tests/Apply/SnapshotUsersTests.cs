using System.Net;
using System.Net.Http.Json;
using Dapper;
using Did.Dialplan;
using Did.Features.Apply;
using Did.Tests.Dialplan;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>A snapshot holds the users something can reach and no other (issue 19): each kind of reference puts its
/// user in, in its own tenant only; the render is the one a snapshot of every user gives; and a user created with the
/// extension an EXTERNAL Goto already names is in the next read, remembered or whole.</summary>
public sealed class SnapshotUsersTests : ApiFixture
{
    private TestTenant _a = null!;
    private TestTenant _b = null!;
    private TestTenant _c = null!;
    private Dictionary<string, Guid> _users = null!; // by "<tenant letter><extension>", e.g. "a1001"

    [OneTimeSetUp]
    public async Task Seed()
    {
        _a = await CreateTenantAsync();
        _b = await CreateTenantAsync();
        _c = await CreateTenantAsync();
        _users = new Dictionary<string, Guid>();
        // 1001-1010 are reached, one way each; 1011, 1012 and 1100-1129 are not. B has a 1011 too, which B's own Goto
        // reaches, and no 1012, which B's Goto names: A's 1012 is not B's.
        await InsertUsersAsync(_a.Id, "a", [.. Enumerable.Range(1001, 12).Select(e => e.ToString()), .. Enumerable.Range(1100, 30).Select(e => e.ToString())]);
        await InsertUsersAsync(_b.Id, "b", ["2001", "1011"]);
        await InsertUsersAsync(_c.Id, "c", ["3001", "3002"]);

        var queue = QueueBodies.Create("support", _a.Id);
        queue["members"] = new[] { _users["a1007"] };
        var queueId = await CreateAsync("/api/v1/queues", queue);
        var ivr = await CreateAsync("/api/v1/ivrs", new
        {
            tenant_id = _a.Id, name = "main", greeting = "welcome", timeout_seconds = 5,
            options = new Dictionary<string, object> { ["1"] = new { type = "USER", id = _users["a1004"] } },
            timeout_destination = new { type = "USER", id = _users["a1005"] },
            invalid_destination = new { type = "USER", id = _users["a1006"] },
        });
        var a = await SeedNumbersAsync(_a.Id, 5);
        await Assign(a[0].Id, new
        {
            assigned_type = "USER", assigned_id = _users["a1001"], failover = new { type = "USER", id = _users["a1002"] },
            rules = new object[]
            {
                new { caller_id_prefix = "+44", destination = new { type = "USER", id = _users["a1003"] } },
                new { caller_id = "WITHHELD", destination = new { type = "EXTERNAL", value = $"Goto(tenant-{_a.Slug},1009,1)" } },
            },
        });
        await Assign(a[1].Id, new { assigned_type = "IVR", assigned_id = ivr });
        await Assign(a[2].Id, new { assigned_type = "QUEUE", assigned_id = queueId });
        await Assign(a[3].Id, new { assigned_type = "EXTERNAL", assigned_value = $"Goto(tenant-{_a.Slug},1008,1)" });
        await Assign(a[4].Id, new
        {
            assigned_type = "USER", assigned_id = _users["a1001"],
            failover = new { type = "EXTERNAL", value = $"Goto(tenant-{_a.Slug},1010,1)" },
        });
        var b = await SeedNumbersAsync(_b.Id, 3);
        await Assign(b[0].Id, new { assigned_type = "USER", assigned_id = _users["b2001"] });
        await Assign(b[1].Id, new { assigned_type = "EXTERNAL", assigned_value = $"Goto(tenant-{_b.Slug},1011,1)" });
        await Assign(b[2].Id, new { assigned_type = "EXTERNAL", assigned_value = $"Goto(tenant-{_b.Slug},1012,1)" });
        var c = await SeedNumbersAsync(_c.Id, 2);
        await Assign(c[0].Id, new { assigned_type = "USER", assigned_id = _users["c3001"] });
        await Assign(c[1].Id, new { assigned_type = "EXTERNAL", assigned_value = $"Goto(tenant-{_c.Slug},3050,1)" });
    }

    private async Task InsertUsersAsync(Guid tenant, string letter, string[] extensions)
    {
        var ids = extensions.Select(_ => Guid.CreateVersion7()).ToArray();
        await using var conn = await Db.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO users (id, email, display_name, password_hash, role, tenant_id, extension, security_stamp)
            SELECT id, id::text || '@users.test', 'User ' || extension, 'not-a-hash', 'USER', @tenant, extension, gen_random_uuid()
            FROM unnest(@ids, @extensions) AS x(id, extension)
            """, new { tenant, ids, extensions });
        for (var i = 0; i < ids.Length; i++) _users[letter + extensions[i]] = ids[i];
    }

    private async Task<Guid> CreateAsync(string url, object body) =>
        (await Expect(await Admin.PostAsJsonAsync(url, body), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    private async Task Assign(Guid number, object body) =>
        await Expect(await Admin.PostAsJsonAsync($"/api/v1/dids/{number}/assign", body), HttpStatusCode.Created);

    private static string[] Extensions(DialplanSnapshot snapshot, Guid tenant) =>
        [.. snapshot.Tenants.Single(t => t.Id == tenant).Users.Select(u => u.Extension).Order(StringComparer.Ordinal)];

    [Test]
    public async Task A_user_nothing_reaches_is_not_in_the_snapshot()
    {
        var snapshot = await DialplanSnapshotReader.ReadAsync(Db, CancellationToken.None);

        Assert.That(Extensions(snapshot, _a.Id), Is.EqualTo(Enumerable.Range(1001, 10).Select(e => e.ToString())), "A's 1011, 1012 and 1100-1129");
        Assert.That(Extensions(snapshot, _b.Id), Is.EqualTo(new[] { "1011", "2001" }));
        Assert.That(Extensions(snapshot, _c.Id), Does.Contain("3001").And.Not.Contain("3002")); // 3050 once a test creates it
    }

    [TestCase("a1001", "a number's destination")]
    [TestCase("a1002", "a number's failover")]
    [TestCase("a1003", "a rule's destination")]
    [TestCase("a1004", "an IVR option")]
    [TestCase("a1005", "an IVR's timeout destination")]
    [TestCase("a1006", "an IVR's invalid destination")]
    [TestCase("a1007", "a queue member")]
    [TestCase("a1008", "a number's EXTERNAL Goto to the extension")]
    [TestCase("a1009", "a rule's EXTERNAL Goto to the extension")]
    [TestCase("a1010", "a failover's EXTERNAL Goto to the extension")]
    [TestCase("b1011", "an EXTERNAL Goto into the own tenant's context, where another tenant has the same extension")]
    public async Task Each_kind_of_reference_puts_its_user_in(string user, string reference)
    {
        foreach (var memory in new[] { null, new SnapshotMemory() })
        {
            var snapshot = await DialplanSnapshotReader.ReadAsync(Db, memory, CancellationToken.None);

            var found = snapshot.Tenants.SelectMany(t => t.Users.Select(u => (Tenant: t.Id, u.Id))).Where(u => u.Id == _users[user]).ToList();
            var tenant = user[0] switch { 'a' => _a.Id, 'b' => _b.Id, _ => _c.Id };
            Assert.That(found, Is.EqualTo(new[] { (tenant, _users[user]) }), reference);
        }
        var rendered = RenderedDialplan.Of(await DialplanSnapshotReader.ReadAsync(Db, CancellationToken.None)).Extensions;
        var context = rendered[rendered.IndexOf($"\n[tenant-{(user[0] == 'a' ? _a.Slug : _b.Slug)}]", StringComparison.Ordinal)..];
        context = context[..(context.IndexOf("\n[", 1, StringComparison.Ordinal) is var end and > 0 ? end : context.Length)];
        Assert.That(context, Does.Contain($"exten => {user[1..]},1,Dial("), reference + " renders the user");
    }

    [Test]
    public async Task The_render_is_the_one_a_snapshot_of_every_user_gives()
    {
        var read = await DialplanSnapshotReader.ReadAsync(Db, CancellationToken.None);
        var every = await EveryUserAsync(read);
        Assert.That(every.Tenants.Sum(t => t.Users.Count), Is.GreaterThan(read.Tenants.Sum(t => t.Users.Count) + 30), "the database has unreached users");

        var fromRead = RenderedDialplan.Of(read);
        var fromEvery = RenderedDialplan.Of(every);

        Assert.That(fromRead.Extensions, Is.EqualTo(fromEvery.Extensions));
        Assert.That(fromRead.Queues, Is.EqualTo(fromEvery.Queues));
        Assert.That(fromRead.Result, Is.EqualTo(fromEvery.Result).Using<RenderResult>((x, y) =>
            x with { ContextNames = y.ContextNames, QueueNames = y.QueueNames, Warnings = y.Warnings } == y
            && x.ContextNames.SequenceEqual(y.ContextNames) && x.QueueNames.SequenceEqual(y.QueueNames) && x.Warnings.SequenceEqual(y.Warnings)));
        Assert.That(fromRead.Result.Warnings.Select(w => w.Text), Has.Some.Contains($"Goto(tenant-{_b.Slug},1012,1) leads nowhere"), "A's 1012 is not B's");
        Assert.That(fromRead.Extensions, Does.Not.Contain("exten => 1100,"));
    }

    /// <summary>The snapshot with every user of each of its tenants that has an extension, as the reader read them before.</summary>
    private async Task<DialplanSnapshot> EveryUserAsync(DialplanSnapshot read)
    {
        await using var conn = await Db.OpenConnectionAsync();
        var users = (await conn.QueryAsync<(Guid Id, Guid TenantId, string Extension)>(
                "SELECT id, tenant_id, extension FROM users WHERE extension IS NOT NULL AND tenant_id IS NOT NULL"))
            .ToLookup(u => u.TenantId, u => new UserSnapshot(u.Id, u.Extension));
        return read with { Tenants = [.. read.Tenants.Select(t => t with { Users = [.. users[t.Id]] })] };
    }

    [Test]
    public async Task A_user_created_with_the_extension_an_external_goto_names_is_in_the_next_read()
    {
        var memory = new SnapshotMemory();
        var before = await DialplanSnapshotReader.ReadAsync(Db, memory, CancellationToken.None);
        Assert.That(Extensions(before, _c.Id), Does.Not.Contain("3050"));
        Assert.That(RenderedDialplan.Of(before).Result.Warnings.Select(w => w.Text), Has.Some.Contains($"Goto(tenant-{_c.Slug},3050,1) leads nowhere"));

        var created = await CreateUserAsync("USER", _c.Id, "3050");
        var remembered = await DialplanSnapshotReader.ReadAsync(Db, memory, CancellationToken.None);
        var whole = await DialplanSnapshotReader.ReadAsync(Db, CancellationToken.None);

        Assert.That(remembered.Tenants.Single(t => t.Id == _c.Id).Users.Select(u => u.Id), Does.Contain(created.Id));
        var rendered = RenderedDialplan.Of(remembered);
        Assert.That(rendered.Extensions, Does.Contain("exten => 3050,1,Dial("));
        Assert.That(rendered.Result.Warnings.Select(w => w.Text), Has.None.Contains($"tenant-{_c.Slug},3050"));
        Assert.That(rendered.Extensions, Is.EqualTo(RenderedDialplan.Of(whole).Extensions));
    }
}
