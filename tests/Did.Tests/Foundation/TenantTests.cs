using System.Net;
using System.Net.Http.Json;
using Did.Tests.Support;
using NUnit.Framework;

namespace Did.Tests.Foundation;

public sealed class TenantTests : ApiFixture
{
    [TestCase("a")]
    [TestCase("Acme")]
    [TestCase("1acme")]
    [TestCase("-acme")]
    [TestCase("acme corp")]
    [TestCase("acme_corp")]
    [TestCase("acme\nx")]
    [TestCase("abcdefghijklmnopqrstuvwxyz012345")]
    [TestCase("acme-ivr-main")]
    [TestCase("acme-queue")]
    public async Task Slug_outside_the_pattern_is_a_400_naming_the_field(string slug)
    {
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = "N", slug }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("errors").GetProperty("slug")[0].GetString(), Does.Contain("^[a-z][a-z0-9-]{1,30}$").Or.Contain("-ivr-"));
    }

    [TestCase("ab")]
    [TestCase("acme-corp-2")]
    [TestCase("abcdefghijklmnopqrstuvwxyz01234")]
    public async Task Slug_inside_the_pattern_is_accepted(string slug)
    {
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = $"N {slug}", slug }), HttpStatusCode.Created);
        Assert.That(body.GetProperty("slug").GetString(), Is.EqualTo(slug));
    }

    [Test]
    public async Task Duplicate_slug_is_a_409()
    {
        var tenant = await CreateTenantAsync();
        var body = await Expect(await Admin.PostAsJsonAsync("/api/v1/tenants", new { name = "Other", slug = tenant.Slug }), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(tenant.Slug));
    }

    [Test]
    public async Task Slug_cannot_be_changed()
    {
        var tenant = await CreateTenantAsync();
        var body = await Expect(await Patch(Admin, $"/api/v1/tenants/{tenant.Id}", new { slug = "changed" }), HttpStatusCode.BadRequest);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("slug"));
        var after = await Expect(await Admin.GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.OK);
        Assert.That(after.GetProperty("slug").GetString(), Is.EqualTo(tenant.Slug));
    }

    [Test]
    public async Task Rename_changes_the_name_and_updated_at()
    {
        var tenant = await CreateTenantAsync();
        var body = await Expect(await Patch(Admin, $"/api/v1/tenants/{tenant.Id}", new { name = "Acme Corp" }), HttpStatusCode.OK);
        Assert.That(body.GetProperty("name").GetString(), Is.EqualTo("Acme Corp"));
        Assert.That(body.GetProperty("updated_at").GetDateTime(), Is.GreaterThan(body.GetProperty("created_at").GetDateTime()));
    }

    [Test]
    public async Task Deleting_a_tenant_that_owns_users_is_a_409_naming_them()
    {
        var tenant = await CreateTenantAsync();
        var user = await CreateUserAsync("USER", tenant.Id);
        var body = await Expect(await Admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.Conflict);
        Assert.That(body.GetProperty("detail").GetString(), Does.Contain(user.Email).And.Contain("1 user"));
        Assert.That(body.GetProperty("users")[0].GetString(), Is.EqualTo(user.Email));
        await Expect(await Admin.GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.OK);
    }

    [Test]
    public async Task Deleting_a_tenant_that_owns_ivrs_and_queues_is_a_409_naming_them()
    {
        var tenant = await CreateTenantAsync();
        await Expect(await Admin.PostAsJsonAsync("/api/v1/ivrs",
            new { tenant_id = tenant.Id, name = "main", greeting = "custom/welcome", timeout_seconds = 5, options = new Dictionary<string, object>() }), HttpStatusCode.Created);
        await Expect(await Admin.PostAsJsonAsync("/api/v1/queues",
            new { tenant_id = tenant.Id, name = "support", strategy = "RINGALL", member_ring_seconds = 15, members = Array.Empty<Guid>() }), HttpStatusCode.Created);

        var body = await Expect(await Admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.Conflict);

        Assert.That(body.GetProperty("detail").GetString(), Does.Contain("1 IVR(s) (main)").And.Contain("1 queue(s) (support)"));
        Assert.That(body.GetProperty("ivrs").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "main" }));
        Assert.That(body.GetProperty("queues").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "support" }));
        await Expect(await Admin.GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.OK);
    }

    [Test]
    public async Task Deleting_an_empty_tenant_removes_it()
    {
        var tenant = await CreateTenantAsync();
        await Expect(await Admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.NoContent);
        await Expect(await Admin.GetAsync($"/api/v1/tenants/{tenant.Id}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task List_is_paginated_with_total()
    {
        for (var i = 0; i < 3; i++) await CreateTenantAsync();
        var body = await Expect(await Admin.GetAsync("/api/v1/tenants?page=2&page_size=2"), HttpStatusCode.OK);
        Assert.That(body.GetProperty("page").GetInt32(), Is.EqualTo(2));
        Assert.That(body.GetProperty("page_size").GetInt32(), Is.EqualTo(2));
        Assert.That(body.GetProperty("total").GetInt64(), Is.GreaterThanOrEqualTo(3));
        Assert.That(body.GetProperty("items").GetArrayLength(), Is.EqualTo(2));
    }
}
