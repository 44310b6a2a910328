using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Did.Tests.Fakes;

/// <summary>Drift checks (POST /api/v1/apply/drift-checks) of the whole-apply data set, after the applies of a round:
/// one with the switch in sync (issue 19: 100,000 numbers in sync < 6 s), and one during which a number is re-routed
/// through the API and applied (issue 19: no apply blocked meanwhile). Prints figures; asserts nothing.</summary>
internal static class DriftBench
{
    /// <summary>Issue 19: a drift check of 100,000 numbers, in sync, in less than this.</summary>
    private const int TargetMs = 6000;

    /// <summary>How long after the check started the concurrent apply starts: well inside the check (which lists every
    /// context of the switch), after its render has begun.</summary>
    private const int ApplyAfterMs = 300;

    /// <param name="ContextsListed">ShowDialPlan actions the fake switch received during the check: the contexts it compared.</param>
    /// <param name="SwitchPriorities">The priorities (no hints) the fake switch held when the check ended.</param>
    /// <param name="InSyncByStatus">What GET /api/v1/apply/status said of the node afterwards (its in_sync).</param>
    /// <param name="PeakMb">The service's VmHWM when the check had ended.</param>
    public sealed record CheckRun(string Status, double WallMs, int Polls, int Nodes, int DifferingContexts, int DifferingFiles,
        int ContextsListed, long SwitchPriorities, string? InSyncByStatus, string? Error, double PeakMb);

    public sealed record ConcurrentRun(CheckRun Check, double FoundRunningMs, bool RunningAtApplyStart, double ApplyStartMs,
        int RerouteStatus, double RerouteMs, WholeApplyBench.ApplyRun Apply, bool RunningAfterApply, string NumberRerouted);

    /// <summary>One drift check to its final result: the POST answers the finished check; should it answer RUNNING, the
    /// check is polled (GET /api/v1/apply/drift-checks/{id}) until it is not.</summary>
    public static async Task<CheckRun> CheckAsync(HttpClient http, FakeAsterisk ast, int pid)
    {
        var listed = ast.CountActions("ShowDialPlan");
        var w = Stopwatch.StartNew();
        var (check, wall, polls) = await RunToEndAsync(http, w);
        return await DescribeAsync(http, ast, pid, check, wall, polls, listed);
    }

    /// <summary>Starts a drift check and, once it is seen RUNNING and <see cref="ApplyAfterMs"/> have passed, re-routes
    /// one number (PUT /api/v1/dids/{id}/assign) and applies (POST /api/v1/apply), then waits for the check.</summary>
    public static async Task<ConcurrentRun> ApplyDuringCheckAsync(HttpClient http, FakeAsterisk ast, int pid, Shape shape, int round)
    {
        var listed = ast.CountActions("ShowDialPlan");
        var w = Stopwatch.StartNew();
        var checkTask = RunToEndAsync(http, w);

        // The check's RUNNING row: the newest check, written as soon as the check has its lock.
        Guid? id = null;
        var foundMs = -1.0;
        while (id is null && !checkTask.IsCompleted && w.ElapsedMilliseconds < 10_000)
        {
            var newest = (await http.GetFromJsonAsync<JsonElement>("/api/v1/apply/drift-checks?page_size=1")).GetProperty("items").EnumerateArray().FirstOrDefault();
            if (newest.ValueKind == JsonValueKind.Object && newest.GetProperty("status").GetString() == "RUNNING")
                (id, foundMs) = (newest.GetProperty("id").GetGuid(), w.Elapsed.TotalMilliseconds);
            else await Task.Delay(20);
        }
        if (w.ElapsedMilliseconds < ApplyAfterMs) await Task.Delay(TimeSpan.FromMilliseconds(ApplyAfterMs - w.Elapsed.TotalMilliseconds));
        var runningAtStart = id is { } i1 && await StatusAsync(http, i1) == "RUNNING";
        var applyStart = w.Elapsed.TotalMilliseconds;

        // Number 13 (a USER route, like number 3 of the applies) goes to the next user of its tenant in even rounds and
        // back in odd ones: one line of one shard changes.
        var n = 13 % shape.Numbers;
        var (tenant, user) = (n % shape.Tenants, n / shape.Tenants % shape.Users);
        var to = round % 2 == 0 ? (user + 1) % shape.Users : user;
        var reroute = Stopwatch.StartNew();
        var put = await http.PutAsJsonAsync($"/api/v1/dids/{Md5Uuid("n" + n)}/assign",
            new { assigned_type = "USER", assigned_id = Md5Uuid($"u{tenant}-{to}") });
        var rerouteMs = reroute.Elapsed.TotalMilliseconds;
        if (!put.IsSuccessStatusCode)
            Console.Error.WriteLine($"re-route of {Shape.Number(n)}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync()}");
        var apply = await WholeApplyBench.ApplyAsync(http, pid);
        var runningAfter = id is { } i2 && !checkTask.IsCompleted && await StatusAsync(http, i2) == "RUNNING";

        var (check, wall, polls) = await checkTask;
        var run = await DescribeAsync(http, ast, pid, check, wall, polls, listed);
        return new ConcurrentRun(run, foundMs, runningAtStart, applyStart, (int)put.StatusCode, rerouteMs, apply, runningAfter,
            $"{Shape.Number(n)} to user {1000 + to} of t{tenant:D4}");
    }

    public static void Print(string title, CheckRun inSync, ConcurrentRun during, WholeApplyBench.ApplyRun uncontended)
    {
        Console.WriteLine($"## Drift check: {title}");
        Console.WriteLine();
        Console.WriteLine("POST /api/v1/apply/drift-checks after the applies above, wall time until its result is final. \"Contexts listed\" are the");
        Console.WriteLine("ShowDialPlan actions the fake switch received during the check (the response names only differing contexts; during an");
        Console.WriteLine("apply they include the apply's own verification).");
        Console.WriteLine();
        Console.WriteLine("| drift check (ms) | switch in sync | during an apply |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| **wall time until the result is final** | **{inSync.WallMs:N0}** | **{during.Check.WallMs:N0}** |");
        Console.WriteLine($"| issue 19 target (real-cost switch, in sync) | < {TargetMs:N0}: {(inSync.Status == "IN_SYNC" && inSync.WallMs < TargetMs ? "met" : "NOT met")} | - |");
        Console.WriteLine($"| status | {inSync.Status} | {during.Check.Status} |");
        Console.WriteLine($"| nodes / contexts listed / differing contexts / differing files | {Compared(inSync)} | {Compared(during.Check)} |");
        Console.WriteLine($"| priorities the switch holds (no hints) | {inSync.SwitchPriorities:N0} | {during.Check.SwitchPriorities:N0} |");
        Console.WriteLine($"| GET /api/v1/apply/status in_sync afterwards | {inSync.InSyncByStatus} | {during.Check.InSyncByStatus} |");
        Console.WriteLine($"| GET polls after the POST answered | {inSync.Polls} | {during.Check.Polls} |");
        Console.WriteLine($"| service VmHWM when the check had ended (MB) | {inSync.PeakMb:N0} | {during.Check.PeakMb:N0} |");
        Console.WriteLine();
        var notBlocked = during.RunningAtApplyStart && during.RunningAfterApply && during.Apply.Status is "SUCCEEDED" or "NO_CHANGES";
        Console.WriteLine("| apply while a drift check runs | |");
        Console.WriteLine("|---|---:|");
        Console.WriteLine($"| check seen RUNNING (GET drift-checks, ms after its POST) | {(during.FoundRunningMs < 0 ? "never" : during.FoundRunningMs.ToString("N0", CultureInfo.InvariantCulture))} |");
        Console.WriteLine($"| check still RUNNING when the re-route started (ms after its POST) | {Yes(during.RunningAtApplyStart)} ({during.ApplyStartMs:N0}) |");
        Console.WriteLine($"| re-route of one number (PUT /api/v1/dids/{{id}}/assign) | {during.RerouteStatus} in {during.RerouteMs:N0} ms |");
        Console.WriteLine($"| **apply (POST /api/v1/apply) wall time** | **{during.Apply.WallMs:N0}** |");
        Console.WriteLine($"| same change without a check (second apply above) | {uncontended.WallMs:N0} |");
        Console.WriteLine($"| apply job status | {during.Apply.Status}{(during.Apply.Error is null ? "" : ": " + during.Apply.Error)} |");
        Console.WriteLine($"| check still RUNNING when the apply answered | {Yes(during.RunningAfterApply)} |");
        Console.WriteLine($"| issue 19: no apply blocked meanwhile | {(notBlocked ? "met" : "NOT shown")} |");
        Console.WriteLine();
        Console.WriteLine($"- re-routed: {during.NumberRerouted}; apply steps (ms): " +
                          string.Join(", ", during.Apply.Steps.Select(s => $"{s.Name} {s.Ms:N0}{(s.Status == "OK" ? "" : " " + s.Status)}")));
        foreach (var (what, c) in new[] { ("in sync", inSync), ("during an apply", during.Check) })
            if (c.Error is not null) Console.WriteLine($"- check {what}: {c.Error}");
        Console.WriteLine();
    }

    private static string Compared(CheckRun c) => $"{c.Nodes} / {c.ContextsListed:N0} / {c.DifferingContexts:N0} / {c.DifferingFiles:N0}";

    private static string Yes(bool b) => b ? "yes" : "no";

    private static async Task<(JsonElement Check, double WallMs, int Polls)> RunToEndAsync(HttpClient http, Stopwatch w)
    {
        var response = await http.PostAsync("/api/v1/apply/drift-checks", null);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"drift check answered {(int)response.StatusCode}: {text[..Math.Min(600, text.Length)]}");
        var check = JsonDocument.Parse(text).RootElement;
        var polls = 0;
        while (check.GetProperty("status").GetString() == "RUNNING")
        {
            await Task.Delay(50);
            check = await http.GetFromJsonAsync<JsonElement>($"/api/v1/apply/drift-checks/{check.GetProperty("id").GetGuid()}");
            polls++;
        }
        var wall = w.Elapsed.TotalMilliseconds;
        Console.Error.WriteLine($"drift check: {check.GetProperty("status").GetString()} in {wall:N0} ms");
        return (check, wall, polls);
    }

    private static async Task<CheckRun> DescribeAsync(HttpClient http, FakeAsterisk ast, int pid, JsonElement check, double wall, int polls,
        int listedBefore)
    {
        var (listed, peak) = (ast.CountActions("ShowDialPlan") - listedBefore, Mem.PeakMb(pid));
        var priorities = ast.Dialplan.Contexts.Values.Sum(c => c.Extensions.Sum(e => (long)e.Priorities.Count(p => p.Priority != FakePriority.Hint)));
        var nodes = check.GetProperty("nodes").EnumerateArray().ToList();
        var status = await http.GetFromJsonAsync<JsonElement>("/api/v1/apply/status");
        var inSync = string.Join(", ", status.GetProperty("nodes").EnumerateArray().Select(n =>
            n.GetProperty("in_sync") is { ValueKind: JsonValueKind.True or JsonValueKind.False } s ? s.GetBoolean() ? "true" : "false" : "null"));
        var error = check.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        return new CheckRun(check.GetProperty("status").GetString()!, wall, polls, nodes.Count,
            nodes.Sum(n => n.GetProperty("contexts").GetArrayLength()), nodes.Sum(n => n.GetProperty("files").GetArrayLength()),
            listed, priorities, inSync, error, peak);
    }

    private static async Task<string?> StatusAsync(HttpClient http, Guid id) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/v1/apply/drift-checks/{id}")).GetProperty("status").GetString();

    /// <summary>PostgreSQL's md5(text)::uuid, as the seed makes the ids.</summary>
    private static Guid Md5Uuid(string text) => Guid.ParseExact(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text))), "N");
}
