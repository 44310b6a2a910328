using System.Security.Cryptography;
using System.Text;
using Did.Dialplan;
using Did.Features.Routing;
using Did.Tests.Dialplan;
using NUnit.Framework;

namespace Did.Tests.Routing;

/// <summary>A live dialplan file read by byte ranges reads as the parser reads the whole file: the same contexts and
/// entries, at the same line numbers, whatever the line breaks, comments or a header Asterisk stops at.</summary>
public sealed class DialplanFileTests
{
    private string _dir = null!;

    [SetUp]
    public void CreateFolder() => _dir = Directory.CreateTempSubdirectory("dialplan-file-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_dir, recursive: true);

    private async Task<DialplanFile> OpenAsync(string text, bool cache = false)
    {
        var path = Path.Combine(_dir, "extensions_custom.conf");
        await File.WriteAllTextAsync(path, text);
        return (await DialplanFile.OpenAsync(path, cache, CancellationToken.None))!;
    }

    private static IEnumerable<string> Describe(IEnumerable<DialplanContext> contexts) => contexts.SelectMany(c =>
        c.Entries.Select(e => $"[{c.Name}]@{c.LineNumber} {e.Extension}/{e.CallerId},{e.Priority}({e.Label}) {e.Application}({e.AppData}) line {e.LineNumber}"));

    [TestCase("\n")]
    [TestCase("\r\n")]
    [TestCase("\r")]
    public async Task Each_context_reads_as_the_parser_reads_the_whole_file(string lineBreak)
    {
        var text = RenderedDialplan.Of(RouteSamples.Routed()).Extensions.Replace("\n", lineBreak);
        using var file = await OpenAsync(text);
        var whole = DialplanParser.Parse(text).Contexts;

        foreach (var name in whole.Select(c => c.Name).Distinct())
            Assert.That(Describe(file.Sections(name)), Is.EqualTo(Describe(whole.Where(c => c.Name == name))), name);
    }

    [Test]
    public async Task Read_for_one_extension_a_context_keeps_that_extension_and_the_patterns()
    {
        var text = RenderedDialplan.Of(RouteSamples.Routed()).Extensions;
        using var file = await OpenAsync(text);

        var shard = file.Sections("did-15551230", RouteSamples.RulesNumber).Single();

        Assert.That(shard.Entries.Select(e => e.Extension).Distinct(), Is.EqualTo(new[] { RouteSamples.RulesNumber, "_+X." }));
        Assert.That(shard.Entries.Where(e => e.Extension == RouteSamples.RulesNumber).Select(e => (e.Priority, e.Label, e.LineNumber)),
            Is.EqualTo(file.Sections("did-15551230").Single().Entries.Where(e => e.Extension == RouteSamples.RulesNumber).Select(e => (e.Priority, e.Label, e.LineNumber))));
        Assert.That(file.Sections("did-15551230", "+15551230999").Single().Entries.Select(e => e.Extension), Is.EqualTo(new[] { "_+X." }),
            "a number nobody has still meets the shard's pattern");
    }

    [Test]
    public async Task Comments_a_context_written_twice_and_an_unclosed_header_count_as_asterisk_counts_them()
    {
        const string text = "; [not-a-context]\n[a]\nexten => 1,1,Answer() ; [nor-this]\n;--\n[nor-that]\n--;\n[b]\nexten => 2,1,Hangup()\n[a]\nexten => 3,1,Hangup()\n[c\n[d]\nexten => 4,1,Hangup()\n";
        using var file = await OpenAsync(text);

        Assert.That(file.Sections("a").Select(c => c.LineNumber), Is.EqualTo(new[] { 2, 9 }));
        Assert.That(Describe(file.Sections("a")), Is.EqualTo(new[] { "[a]@2 1/,1() Answer() line 3", "[a]@9 3/,1() Hangup() line 10" }));
        Assert.That(file.Sections("b").Single().Entries.Single().Extension, Is.EqualTo("2"));
        Assert.That(file.Sections("not-a-context"), Is.Empty);
        Assert.That(file.Sections("nor-that"), Is.Empty);
        Assert.That(file.Sections("d"), Is.Empty, "Asterisk stops reading at the unclosed '['");
    }

    [Test]
    public async Task The_fingerprint_tells_files_apart_and_the_header_hash_is_read()
    {
        var rendered = RenderedDialplan.Of(Samples.Small());
        using var a = await OpenAsync(rendered.Extensions);
        var fingerprint = a.Fingerprint;
        using var b = await OpenAsync(rendered.Extensions + "\n");

        Assert.That(a.DeclaredSha256, Is.EqualTo(rendered.Result.ExtensionsSha256));
        Assert.That(b.Fingerprint, Is.Not.EqualTo(fingerprint));
    }

    [Test]
    public async Task A_walk_reads_the_file_it_opened_while_apply_renames_a_new_one_into_place()
    {
        var text = RenderedDialplan.Of(Samples.Small()).Extensions;
        using var before = await OpenAsync(text, cache: true);
        var path = Path.Combine(_dir, "extensions_custom.conf");
        // Another render of the same length, as apply would write it: a new body, so a new sha256 in the header.
        var next = text.Replace("Goto(tenant-acme,1001,1)", "Goto(tenant-acme,1002,1)");
        next = next.Replace(Declared(text), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(next))));
        await File.WriteAllTextAsync(path + ".new", next);
        File.Move(path + ".new", path, overwrite: true);

        using var after = (await DialplanFile.OpenAsync(path, cache: true, CancellationToken.None))!;

        Assert.That(before.Sections("did-15551234")[0].Entries[0].AppData, Is.EqualTo("tenant-acme,1001,1"));
        Assert.That(after.Sections("did-15551234")[0].Entries[0].AppData, Is.EqualTo("tenant-acme,1002,1"));
        Assert.That(after.Fingerprint, Is.Not.EqualTo(before.Fingerprint));
    }

    [Test]
    public async Task A_missing_file_opens_as_nothing() =>
        Assert.That(await DialplanFile.OpenAsync(Path.Combine(_dir, "nowhere.conf"), true, CancellationToken.None), Is.Null);

    private static string Declared(string text) =>
        text.Split('\n').First(l => l.StartsWith("; sha256 of body: ", StringComparison.Ordinal))[18..];
}
