using Did.Dialplan;
using Did.Features.Apply;
using Did.Infrastructure.Ami;
using NUnit.Framework;

namespace Did.Tests.Apply;

/// <summary>How a context the switch lists (AMI ShowDialPlan) compares with the render, as verify's one sentence and the
/// drift check's lines: multisets, since caller-ID variants of one extension are listed as the same extension with their
/// own priority 1, told apart by application and data. Every expected text here is what the two comparisons before
/// <see cref="LiveContextComparison"/> (NodeSwitch.Compare and DriftComparison) answered for the same input, except where
/// a test says otherwise.</summary>
public sealed class LiveContextComparisonTests
{
    private const string Context = "tenant-acme";

    private static DialplanEntry Rendered(string extension, int priority, string application, string data, int line, string? callerId = null) =>
        new(extension, priority, null, application, data, line, $"exten => {extension},{priority},{application}({data})", callerId);

    private static AmiDialplanEntry Listed(string extension, string priority, string application, string data) =>
        new(Context, extension, priority, application, data, "pbx_config");

    private static DialplanContext Render(params DialplanEntry[] entries) => new(Context, 1, $"[{Context}]", entries, []);

    private static AmiDialplan Live(params AmiDialplanEntry[] entries) => new(Context, null, AmiDialplanLookup.Found, null, entries, []);

    private static ContextDigest Digest(DialplanContext context)
    {
        var digest = new ContextDigestBuilder();
        foreach (var e in context.Entries) digest.Add(e.Extension, e.Priority, e.Application, e.AppData);
        return digest.ToDigest(context.Name, context.LineNumber);
    }

    private static void AssertSame(DialplanContext render, AmiDialplan live)
    {
        Assert.That(LiveContextComparison.Matches(Digest(render), live), Is.True, "the digests agree");
        Assert.That(LiveContextComparison.FirstDifference(render, live), Is.Null);
        Assert.That(LiveContextComparison.Lines(render, live), Is.Empty);
    }

    private static void AssertDiffers(DialplanContext render, AmiDialplan live, string sentence, params string[] lines)
    {
        Assert.That(LiveContextComparison.Matches(Digest(render), live), Is.False, "the digests differ, so the entries are compared");
        Assert.That(LiveContextComparison.FirstDifference(render, live), Is.EqualTo(sentence));
        Assert.That(LiveContextComparison.Lines(render, live), Is.EqualTo(lines));
    }

    // Two variants of 1001: callers from the UK go one way, everyone else another.
    private static readonly DialplanEntry Uk = Rendered("1001", 1, "Goto", "tenant-acme-uk,s,1", 3, "_+44.");
    private static readonly DialplanEntry Day = Rendered("1001", 1, "Goto", "tenant-acme-day,s,1", 4);

    [Test]
    public void Caller_id_variants_listed_in_another_order_than_rendered_are_the_same()
    {
        AssertSame(
            Render(Uk, Day, Rendered("1001", 2, "Hangup", "", 5)),
            Live(Listed("1001", "1", "Goto", "tenant-acme-day,s,1"), Listed("1001", "2", "Hangup", ""), Listed("1001", "1", "Goto", "tenant-acme-uk,s,1")));
    }

    [Test]
    public void A_rendered_priority_listed_twice_is_one_not_rendered()
    {
        AssertDiffers(
            Render(Rendered("1001", 1, "Dial", "PJSIP/acme-1001,30", 3), Rendered("1001", 2, "Hangup", "", 4)),
            Live(Listed("1001", "1", "Dial", "PJSIP/acme-1001,30"), Listed("1001", "2", "Hangup", ""), Listed("1001", "1", "Dial", "PJSIP/acme-1001,30")),
            "'tenant-acme' has 1 priorities that were not rendered.",
            "not rendered: 1001,1,Dial(PJSIP/acme-1001,30)");
    }

    [Test]
    public void Two_alike_variants_listed_once_lack_the_second()
    {
        AssertDiffers(
            Render(Rendered("1001", 1, "Goto", "tenant-acme-day,s,1", 3, "_+44."), Day),
            Live(Listed("1001", "1", "Goto", "tenant-acme-day,s,1")),
            "'tenant-acme' lacks 1001 priority 1 (line 4).",
            "missing: 1001,1,Goto(tenant-acme-day,s,1) (line 4)");
    }

    /// <summary>The other variant still holds priority 1, so verify says what runs there instead.</summary>
    [Test]
    public void A_missing_first_variant_is_named_with_what_runs_in_its_place()
    {
        AssertDiffers(
            Render(Uk, Day),
            Live(Listed("1001", "1", "Goto", "tenant-acme-day,s,1")),
            "'tenant-acme' 1001,1 runs Goto(tenant-acme-day,s,1), not Goto(tenant-acme-uk,s,1).",
            "missing: 1001,1,Goto(tenant-acme-uk,s,1) (line 3)");
    }

    /// <summary>The first variant took the only priority 1 listed: nothing is left in the second's place.</summary>
    [Test]
    public void A_missing_last_variant_is_lacking()
    {
        AssertDiffers(
            Render(Uk, Day),
            Live(Listed("1001", "1", "Goto", "tenant-acme-uk,s,1")),
            "'tenant-acme' lacks 1001 priority 1 (line 4).",
            "missing: 1001,1,Goto(tenant-acme-day,s,1) (line 4)");
    }

    /// <summary>Verify names the first priority 1 the switch lists that no earlier rendered entry took, whether or not
    /// another rendered variant takes it later.</summary>
    [TestCase(true, "'tenant-acme' 1001,1 runs Goto(tenant-acme-fr,s,1), not Goto(tenant-acme-uk,s,1).")]
    [TestCase(false, "'tenant-acme' 1001,1 runs Goto(tenant-acme-day,s,1), not Goto(tenant-acme-uk,s,1).")]
    public void A_variant_with_changed_data_is_missing_and_not_rendered(bool changedListedFirst, string sentence)
    {
        var changed = Listed("1001", "1", "Goto", "tenant-acme-fr,s,1");
        var day = Listed("1001", "1", "Goto", "tenant-acme-day,s,1");
        AssertDiffers(
            Render(Uk, Day),
            Live(changedListedFirst ? [changed, day] : [day, changed]),
            sentence,
            "missing: 1001,1,Goto(tenant-acme-uk,s,1) (line 3)",
            "not rendered: 1001,1,Goto(tenant-acme-fr,s,1)");
    }

    [Test]
    public void An_extension_not_rendered_is_counted_and_listed_without_its_hint()
    {
        AssertDiffers(
            Render(Rendered("1001", 1, "Dial", "PJSIP/acme-1001,30", 3)),
            Live(Listed("1001", "1", "Dial", "PJSIP/acme-1001,30"), Listed("1002", "hint", "PJSIP/acme-1002", ""),
                Listed("1002", "1", "Dial", "PJSIP/acme-1002,30"), Listed("1002", "2", "Hangup", "")),
            "'tenant-acme' has 2 priorities that were not rendered.",
            "not rendered: 1002,1,Dial(PJSIP/acme-1002,30)",
            "not rendered: 1002,2,Hangup()");
    }

    [Test]
    public void A_priority_under_another_number_is_missing_and_not_rendered()
    {
        AssertDiffers(
            Render(Rendered("1001", 1, "Dial", "PJSIP/acme-1001,30", 3), Rendered("1001", 2, "Hangup", "", 4)),
            Live(Listed("1001", "1", "Dial", "PJSIP/acme-1001,30"), Listed("1001", "3", "Hangup", "")),
            "'tenant-acme' lacks 1001 priority 2 (line 4).",
            "missing: 1001,2,Hangup() (line 4)",
            "not rendered: 1001,3,Hangup()");
    }

    private static DialplanEntry[] RenderedDials(int count) =>
        Enumerable.Range(0, count).Select(i => Rendered($"{2000 + i}", 1, "Dial", $"PJSIP/acme-{2000 + i},30", 10 + i)).ToArray();

    private static AmiDialplanEntry[] ListedHangups(int count) =>
        Enumerable.Range(0, count).Select(i => Listed($"{3000 + i}", "1", "Hangup", "")).ToArray();

    [Test]
    public void Over_twenty_differences_list_the_missing_first_then_the_first_not_rendered_in_the_switchs_order()
    {
        AssertDiffers(
            Render(RenderedDials(15)),
            Live(ListedHangups(10)),
            "'tenant-acme' lacks 2000 priority 1 (line 10).",
            [
                .. Enumerable.Range(0, 15).Select(i => $"missing: {2000 + i},1,Dial(PJSIP/acme-{2000 + i},30) (line {10 + i})"),
                .. Enumerable.Range(0, 5).Select(i => $"not rendered: {3000 + i},1,Hangup()"),
            ]);
    }

    [Test]
    public void Over_twenty_missing_leave_no_room_for_the_not_rendered()
    {
        AssertDiffers(
            Render(RenderedDials(25)),
            Live(ListedHangups(3)),
            "'tenant-acme' lacks 2000 priority 1 (line 10).",
            [.. Enumerable.Range(0, 20).Select(i => $"missing: {2000 + i},1,Dial(PJSIP/acme-{2000 + i},30) (line {10 + i})")]);
    }

    [Test]
    public void Over_twenty_not_rendered_are_all_counted_and_the_first_twenty_listed()
    {
        AssertDiffers(
            Render(),
            Live(ListedHangups(25)),
            "'tenant-acme' has 25 priorities that were not rendered.",
            [.. Enumerable.Range(0, 20).Select(i => $"not rendered: {3000 + i},1,Hangup()")]);
        Assert.That(LiveContextComparison.MaxLinesPerContext, Is.EqualTo(20));
    }

    [Test]
    public void Applications_differing_only_in_case_are_the_same()
    {
        AssertSame(
            Render(Rendered("1001", 1, "Dial", "PJSIP/acme-1001,30", 3), Rendered("1001", 2, "VoiceMail", "1001@tenant-acme", 4)),
            Live(Listed("1001", "1", "DIAL", "PJSIP/acme-1001,30"), Listed("1001", "2", "voicemail", "1001@tenant-acme")));
    }

    [Test]
    public void A_difference_is_written_in_each_sides_own_case()
    {
        AssertDiffers(
            Render(Rendered("1001", 1, "Dial", "PJSIP/acme-1001,30", 3)),
            Live(Listed("1001", "1", "dial", "PJSIP/acme-1001,20")),
            "'tenant-acme' 1001,1 runs dial(PJSIP/acme-1001,20), not Dial(PJSIP/acme-1001,30).",
            "missing: 1001,1,Dial(PJSIP/acme-1001,30) (line 3)",
            "not rendered: 1001,1,dial(PJSIP/acme-1001,20)");
    }

    [Test]
    public void Data_differing_only_in_case_differs()
    {
        AssertDiffers(
            Render(Rendered("1001", 1, "Dial", "PJSIP/acme-1001,30", 3)),
            Live(Listed("1001", "1", "Dial", "PJSIP/ACME-1001,30")),
            "'tenant-acme' 1001,1 runs Dial(PJSIP/ACME-1001,30), not Dial(PJSIP/acme-1001,30).",
            "missing: 1001,1,Dial(PJSIP/acme-1001,30) (line 3)",
            "not rendered: 1001,1,Dial(PJSIP/ACME-1001,30)");
    }

    /// <summary>Of two entries alike but for the case of the application, the one named is the first the switch lists.</summary>
    [Test]
    public void Of_listed_entries_alike_but_for_case_the_first_listed_is_the_one_not_rendered()
    {
        AssertDiffers(
            Render(Rendered("1001", 1, "Dial", "x", 3)),
            Live(Listed("1001", "1", "DIAL", "x"), Listed("1001", "1", "Dial", "x")),
            "'tenant-acme' has 1 priorities that were not rendered.",
            "not rendered: 1001,1,DIAL(x)");
    }

    /// <summary>The long s (U+017F) upper-cases to S, but the comparison does not take it for an s: the entry left over is
    /// the one spelled with it. (Before the fix, the merged comparison named the plain Set the render had taken.)</summary>
    [Test]
    public void An_application_spelled_with_a_long_s_is_the_one_not_rendered()
    {
        AssertDiffers(
            Render(Rendered("1001", 1, "Set", "a=1", 3)),
            Live(Listed("1001", "1", "Set", "a=1"), Listed("1001", "1", "\u017Fet", "a=1")),
            "'tenant-acme' has 1 priorities that were not rendered.",
            "not rendered: 1001,1,\u017Fet(a=1)");
    }

    /// <summary>The Kelvin sign (U+212A) lower-cases to k, and the drift check used to compare lower-cased names, so it
    /// found no difference where verify and the digest found one; now all three agree that it differs. The merge changed
    /// this on purpose.</summary>
    [Test]
    public void An_application_spelled_with_a_kelvin_sign_differs_for_the_drift_check_as_for_verify()
    {
        AssertDiffers(
            Render(Rendered("1001", 1, "Kill", "", 3)),
            Live(Listed("1001", "1", "\u212Aill", "")),
            "'tenant-acme' 1001,1 runs \u212Aill(), not Kill().",
            "missing: 1001,1,Kill() (line 3)",
            "not rendered: 1001,1,\u212Aill()");
        AssertDiffers(
            Render(Rendered("1001", 1, "Kill", "", 3)),
            Live(Listed("1001", "1", "Kill", ""), Listed("1001", "1", "\u212Aill", "")),
            "'tenant-acme' has 1 priorities that were not rendered.",
            "not rendered: 1001,1,\u212Aill()");
    }

    [Test]
    public void An_empty_context_on_the_switch_lacks_every_rendered_priority()
    {
        AssertDiffers(
            Render(Rendered("1001", 1, "Dial", "PJSIP/acme-1001,30", 3), Rendered("1001", 2, "Hangup", "", 4)),
            Live(),
            "'tenant-acme' lacks 1001 priority 1 (line 3).",
            "missing: 1001,1,Dial(PJSIP/acme-1001,30) (line 3)",
            "missing: 1001,2,Hangup() (line 4)");
    }

    [Test]
    public void An_empty_rendered_context_has_every_listed_priority_not_rendered()
    {
        AssertDiffers(
            Render(),
            Live(Listed("1001", "1", "Dial", "PJSIP/acme-1001,30"), Listed("1001", "hint", "PJSIP/acme-1001", ""), Listed("1001", "2", "Hangup", "")),
            "'tenant-acme' has 2 priorities that were not rendered.",
            "not rendered: 1001,1,Dial(PJSIP/acme-1001,30)",
            "not rendered: 1001,2,Hangup()");
    }

    [Test]
    public void Two_empty_contexts_or_one_with_only_a_hint_are_the_same()
    {
        AssertSame(Render(), Live());
        AssertSame(Render(), Live(Listed("1001", "hint", "PJSIP/acme-1001", "")));
    }
}
