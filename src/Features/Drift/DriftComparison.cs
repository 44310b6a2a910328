using Did.Dialplan;
using Did.Infrastructure.Ami;

namespace Did.Features.Drift;

/// <summary>How one context as the switch runs it differs from the render, compared as multisets the way verification
/// compares: AMI lists each caller-ID variant as one more priority of the same extension, so (extension, priority)
/// may repeat and application and data tell the variants apart. Hints and priorities that are not numbers are not
/// compared. Pure: data in, lines out.</summary>
public static class DriftComparison
{
    public const int MaxLinesPerContext = 20;

    /// <summary>Each rendered priority the switch lacks ("missing", with its line in the file) and each priority the
    /// switch runs that was not rendered ("not rendered"); empty when they are the same multiset.</summary>
    public static List<string> Differences(DialplanContext expected, AmiDialplan live)
    {
        var running = new Dictionary<(string, int, string, string), int>();
        foreach (var e in live.Entries)
        {
            if (e.IsHint || e.Priority is not { } p) continue;
            var key = (e.Extension, p, e.Application.ToLowerInvariant(), e.AppData);
            running[key] = running.GetValueOrDefault(key) + 1;
        }
        var lines = new List<string>();
        foreach (var e in expected.Entries)
        {
            var key = (e.Extension, e.Priority, e.Application.ToLowerInvariant(), e.AppData);
            if (running.TryGetValue(key, out var n) && n > 0) running[key] = n - 1;
            else if (lines.Count < MaxLinesPerContext) lines.Add($"missing: {e.Extension},{e.Priority},{e.Application}({e.AppData}) (line {e.LineNumber})");
        }
        foreach (var e in live.Entries)
        {
            if (lines.Count >= MaxLinesPerContext) break;
            if (e.IsHint || e.Priority is not { } p) continue;
            var key = (e.Extension, p, e.Application.ToLowerInvariant(), e.AppData);
            if (running.GetValueOrDefault(key) is var left and > 0)
            {
                running[key] = left - 1;
                lines.Add($"not rendered: {e.Extension},{p},{e.Application}({e.AppData})");
            }
        }
        return lines;
    }
}
