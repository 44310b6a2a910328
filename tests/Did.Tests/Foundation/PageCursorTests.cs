using Did.Infrastructure.Errors;
using Did.Infrastructure.Paging;
using NUnit.Framework;

namespace Did.Tests.Foundation;

public sealed class PageCursorTests
{
    private sealed record Key(string Name, Guid Id);

    private static readonly Key Sample = new("Acme", Guid.Parse("0198a3c2-1111-7000-8000-000000000001"));
    private static readonly string Scope = PageCursor.Scope("tenants", ("tenant_id", null), ("role", "USER"));

    [Test]
    public void A_cursor_gives_back_its_key_for_the_same_scope()
    {
        var cursor = PageCursor.Encode(Scope, Sample);
        Assert.That(PageCursor.IsValid(Scope, cursor), Is.True);
        Assert.That(PageCursor.Decode<Key>(Scope, cursor), Is.EqualTo(Sample));
        Assert.That(cursor, Does.Match("^[A-Za-z0-9_-]+$"), "base64url: safe in a query string as it is");
    }

    [Test]
    public void A_cursor_is_refused_for_another_scope()
    {
        var cursor = PageCursor.Encode(Scope, Sample);
        Assert.That(PageCursor.IsValid(PageCursor.Scope("tenants", ("tenant_id", null), ("role", "TENANT_ADMIN")), cursor), Is.False);
        Assert.That(PageCursor.IsValid(PageCursor.Scope("users", ("tenant_id", null), ("role", "USER")), cursor), Is.False);
        Assert.Throws<ProblemException>(() => PageCursor.Decode<Key>(PageCursor.Scope("users"), cursor));
    }

    [Test]
    public void Every_single_altered_character_is_refused()
    {
        var cursor = PageCursor.Encode(Scope, Sample);
        for (var i = 0; i < cursor.Length; i++)
        {
            var altered = cursor[..i] + FlipHighBit(cursor[i]) + cursor[(i + 1)..];
            Assert.That(PageCursor.IsValid(Scope, altered), Is.False, $"character {i}");
        }
    }

    /// <summary>Another base64url character whose highest of six bits differs: a bit every position of the text decodes.</summary>
    internal static char FlipHighBit(char c)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return alphabet[alphabet.IndexOf(c) ^ 32];
    }

    [TestCase("")]
    [TestCase("A")]
    [TestCase("!!!!")]
    [TestCase("AQAAAAAAAAAAe30")] // version 1, a zero checksum, "{}"
    public void Malformed_cursors_are_refused(string cursor) => Assert.That(PageCursor.IsValid(Scope, cursor), Is.False);

    [Test]
    public void Filter_values_cannot_run_into_each_other()
    {
        Assert.That(PageCursor.Scope("dids", ("number", "1&provider=x"), ("provider", null)),
            Is.Not.EqualTo(PageCursor.Scope("dids", ("number", "1"), ("provider", "x"))));
    }
}
