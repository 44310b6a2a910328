using Did.Dialplan;
using Did.Infrastructure.Ami;

namespace Did.Features.Apply;

/// <summary>How one context as the switch runs it (AMI <c>ShowDialPlan</c>) compares with the render: by digest first,
/// then, for a context whose digest differs, entry by entry, to say what differs. Verification reports the first
/// difference (<see cref="FirstDifference"/>), the drift check every one (<see cref="Lines"/>); both read one comparison,
/// so they never disagree on whether, or where, a context differs. Hints and priorities that are not numbers are not
/// compared, and applications are compared ignoring case (<see cref="StringComparison.OrdinalIgnoreCase"/>; the upper-casing
/// of <see cref="ContextDigest"/> also folds the long s, which only decides whether a context is compared at all). Pure:
/// data in, text out.</summary>
public static class LiveContextComparison
{
    /// <summary>The most lines <see cref="Lines"/> reports for one context.</summary>
    public const int MaxLinesPerContext = 20;

    /// <summary>A rendered priority the switch lacks, and the first entry the switch has left in its place (same extension
    /// and priority, another application or data), if any.</summary>
    public sealed record Missing(DialplanEntry Rendered, AmiDialplanEntry? InItsPlace);

    /// <summary>The rendered priorities the switch lacks, in the file's order, and the priorities the switch runs that
    /// were not rendered, in its order; both empty when the two are the same multiset.</summary>
    public sealed record Differences(IReadOnlyList<Missing> Lacking, IReadOnlyList<AmiDialplanEntry> NotRendered);

    /// <summary>The switch's context has the rendered priorities and no others: the same digest over the priorities a
    /// detailed comparison looks at.</summary>
    public static bool Matches(ContextDigest expected, AmiDialplan live)
    {
        var digest = new ContextDigestBuilder();
        foreach (var e in live.Entries)
            if (Compared(e) is { } p) digest.Add(e.Extension, p, e.Application, e.AppData);
        return digest.Entries == expected.Entries && digest.Sum == expected.Sum;
    }

    /// <summary>Compares as multisets: AMI lists a caller-ID variant (<c>exten =&gt; 1/_+44.,1,...</c>) as one more priority
    /// of the same extension, so (extension, priority) may repeat. Each rendered entry, in the file's order, takes the first
    /// entry of the switch with the same extension, priority, application and data that no earlier one took; what is left
    /// on either side is the difference.</summary>
    public static Differences Compare(DialplanContext expected, AmiDialplan live)
    {
        var slots = new Dictionary<(string, int), List<AmiDialplanEntry>>();
        foreach (var e in live.Entries)
        {
            if (Compared(e) is not { } p) continue;
            if (!slots.TryGetValue((e.Extension, p), out var same)) slots[(e.Extension, p)] = same = [];
            same.Add(e);
        }
        var lacking = new List<Missing>();
        foreach (var e in expected.Entries)
        {
            slots.TryGetValue((e.Extension, e.Priority), out var candidates);
            var match = candidates?.FindIndex(got => SameApplication(got.Application, e.Application) && got.AppData == e.AppData) ?? -1;
            if (match >= 0) candidates!.RemoveAt(match);
            else lacking.Add(new Missing(e, candidates is [var first, ..] ? first : null));
        }
        // Of entries alike (same extension, priority, application and data, as the matching above tells them), the ones
        // named are the first in the switch's order.
        var left = new Dictionary<AmiDialplanEntry, int>(Alike.Instance);
        foreach (var got in slots.Values.SelectMany(s => s))
            left[got] = left.GetValueOrDefault(got) + 1;
        var notRendered = new List<AmiDialplanEntry>();
        foreach (var e in live.Entries)
            if (Compared(e) is not null && left.GetValueOrDefault(e) is var n and > 0)
            {
                left[e] = n - 1;
                notRendered.Add(e);
            }
        return new Differences(lacking, notRendered);
    }

    /// <summary>Verification's one sentence: the first rendered priority the switch lacks or runs otherwise, else how many
    /// it runs that were not rendered; null when the context is the same.</summary>
    public static string? FirstDifference(DialplanContext expected, AmiDialplan live)
    {
        var d = Compare(expected, live);
        if (d.Lacking is [var (e, got), ..])
            return got is null
                ? $"'{expected.Name}' lacks {e.Extension} priority {e.Priority} (line {e.LineNumber})."
                : $"'{expected.Name}' {e.Extension},{e.Priority} runs {got.Application}({got.AppData}), not {e.Application}({e.AppData}).";
        return d.NotRendered.Count > 0 ? $"'{expected.Name}' has {d.NotRendered.Count} priorities that were not rendered." : null;
    }

    /// <summary>The drift check's lines, at most <see cref="MaxLinesPerContext"/>: each rendered priority the switch lacks
    /// ("missing", with its line in the file), then each priority it runs that was not rendered ("not rendered").</summary>
    public static List<string> Lines(DialplanContext expected, AmiDialplan live)
    {
        var d = Compare(expected, live);
        var lines = d.Lacking.Take(MaxLinesPerContext)
            .Select(m => $"missing: {m.Rendered.Extension},{m.Rendered.Priority},{m.Rendered.Application}({m.Rendered.AppData}) (line {m.Rendered.LineNumber})")
            .ToList();
        lines.AddRange(d.NotRendered.Take(MaxLinesPerContext - lines.Count)
            .Select(e => $"not rendered: {e.Extension},{e.Priority},{e.Application}({e.AppData})"));
        return lines;
    }

    private static int? Compared(AmiDialplanEntry e) => e.IsHint ? null : e.Priority;

    /// <summary>Applications compare ignoring case, by one rule for both halves of <see cref="Compare"/>: an upper-cased
    /// key for what is left would fold the long s (U+017F) into S where the matching does not, and name as not
    /// rendered the entry a rendered one took.</summary>
    private static bool SameApplication(string a, string b) => a.Equals(b, StringComparison.OrdinalIgnoreCase);

    /// <summary>Entries of the switch alike for <see cref="Compare"/>: same extension, priority, application and data.</summary>
    private sealed class Alike : IEqualityComparer<AmiDialplanEntry>
    {
        public static readonly Alike Instance = new();

        public bool Equals(AmiDialplanEntry? a, AmiDialplanEntry? b) =>
            a is not null && b is not null && a.Extension == b.Extension && a.Priority == b.Priority
            && SameApplication(a.Application, b.Application) && a.AppData == b.AppData;

        public int GetHashCode(AmiDialplanEntry e) =>
            HashCode.Combine(e.Extension, e.Priority, StringComparer.OrdinalIgnoreCase.GetHashCode(e.Application), e.AppData);
    }
}
