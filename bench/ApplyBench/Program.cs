// Benchmark of the dialplan render, of a whole apply and of the route simulator (bench/apply.sh runs it; see
// bench/RESULTS-apply.md and bench/RESULTS-apply.md).
//   dotnet ApplyBench.dll render           in-process DialplanRenderer.Render of the data set, plain and with rules
//   dotnet ApplyBench.dll apply            seed PostgreSQL (BENCH_PG), start a FakeAsterisk here and the Release service as a
//                                          child process, POST /api/v1/apply, report the job's steps and the service's VmHWM
//                                          then per round two drift checks (POST /api/v1/apply/drift-checks): one with the
//                                          switch in sync, one with a number re-routed and applied while it runs
//   dotnet ApplyBench.dll simulate         as apply, then the data set with rules as the live file, and GET
//                                          /api/v1/routing/simulate many times: latency percentiles
// Environment: BENCH_TENANTS (1000), BENCH_USERS (500 per tenant), BENCH_NUMBERS (100000), BENCH_RUNS (10),
// BENCH_RULES_PERCENT (20: numbers with 2-4 rules and a failover), BENCH_SIMULATIONS (2000),
// BENCH_PG (Npgsql connection string of a database to fill; it is migrated and must be empty), BENCH_ROOT (repository
// root), BENCH_OUT (output folder). Everything listens on 127.0.0.1 only.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Did.Dialplan;
using Did.Infrastructure.Data;
using Did.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

var mode = args.FirstOrDefault() ?? "render";
var shape = new Shape(Env("BENCH_TENANTS", 1000), Env("BENCH_USERS", 500), Env("BENCH_NUMBERS", 100_000), Env("BENCH_RULES_PERCENT", 20));
var outDir = Directory.CreateDirectory(Environment.GetEnvironmentVariable("BENCH_OUT") ?? Path.Combine(Path.GetTempPath(), "did-bench")).FullName;
return mode switch
{
    "render" => RenderBench.Run(shape, Env("BENCH_RUNS", 10), outDir),
    "apply" => await WholeApplyBench.RunAsync(shape, outDir),
    "steps" => await StepsBench.RunAsync(shape, Env("BENCH_RUNS", 10), outDir),
    "simulate" => await SimulateBench.RunAsync(shape, Env("BENCH_SIMULATIONS", 2000), outDir),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ApplyBench render|steps|apply|simulate");
    return 2;
}

static int Env(string name, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

/// <summary>The data set: <see cref="Tenants"/> tenants t0000.. of <see cref="Users"/> users (extensions 1000..), one IVR
/// "main" (1 -> first user, 2 -> the queue) and one queue "support" (first two users) each; numbers +1200nnnnnnn
/// round-robin over tenants: i%10 == 0 IVR, 1 QUEUE, 2 EXTERNAL VoiceMail(ext), else a USER. The same in memory and in
/// PostgreSQL. With rules (in memory only: <see cref="Snapshot"/>), each tenant also has an "office-hours" schedule and
/// <see cref="RulesPercent"/> % of the numbers have 2 to 4 rules (caller prefix, withheld, holiday, closed) and a failover.</summary>
internal sealed record Shape(int Tenants, int Users, int Numbers, int RulesPercent = 20)
{
    public override string ToString() =>
        $"{Numbers:N0} numbers, {Tenants:N0} tenants x {Users:N0} users ({(long)Tenants * Users:N0} user extensions)";

    /// <summary>Whether number <paramref name="i"/> has rules and a failover in <see cref="Snapshot"/>(true).</summary>
    public bool HasRules(int i) => i % 100 < RulesPercent;

    public static string Number(int i) => "+1200" + i.ToString("D7", CultureInfo.InvariantCulture);

    public DialplanSnapshot Snapshot(bool rules = false)
    {
        static Guid Id(int kind, int tenant, int item) => new(kind, (short)(tenant >> 16), (short)tenant, BitConverter.GetBytes((long)item));
        var tenants = new List<TenantSnapshot>(Tenants);
        ScheduleSnapshot Hours(int t) => new(Id(4, t, 0), "office-hours", t % 2 == 0 ? "America/New_York" : "Europe/London",
            [new OpenInterval(WeekDays.Mon | WeekDays.Tue | WeekDays.Wed | WeekDays.Thu | WeekDays.Fri, 9 * 60, 17 * 60 + 30), new OpenInterval(WeekDays.Sat, 22 * 60, 2 * 60)],
            [new ClosedDates(new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 25), "Christmas Day"), new ClosedDates(new DateOnly(2026, 12, 31), new DateOnly(2027, 1, 2), "New Year")]);
        for (var t = 0; t < Tenants; t++)
        {
            var users = new UserSnapshot[Users];
            for (var u = 0; u < Users; u++)
                users[u] = new UserSnapshot(Id(1, t, u), (1000 + u).ToString(CultureInfo.InvariantCulture));
            var ivr = new IvrSnapshot(Id(2, t, 0), "main", "custom/welcome", 5,
                new Dictionary<string, Destination> { ["1"] = new(DestinationType.User, Id(1, t, 0)), ["2"] = new(DestinationType.Queue, Id(3, t, 0)) },
                new Destination(DestinationType.Hangup, null), new Destination(DestinationType.Hangup, null));
            var queue = new QueueSnapshot(Id(3, t, 0), "support", QueueStrategy.Rrmemory, 15, [Id(1, t, 0), Id(1, t, Math.Min(1, Users - 1))]);
            tenants.Add(new TenantSnapshot(Id(0, t, 0), $"t{t:D4}", users, [ivr], [queue with { MaxWaitSeconds = rules ? 120 : null }],
                rules ? [Hours(t)] : null));
        }
        var numbers = new RoutedNumber[Numbers];
        for (var i = 0; i < Numbers; i++)
        {
            var t = i % Tenants;
            var u = i / Tenants % Users;
            numbers[i] = (i % 10) switch
            {
                0 => new RoutedNumber(Number(i), Id(0, t, 0), AssignmentType.Ivr, Id(2, t, 0), null),
                1 => new RoutedNumber(Number(i), Id(0, t, 0), AssignmentType.Queue, Id(3, t, 0), null),
                2 => new RoutedNumber(Number(i), Id(0, t, 0), AssignmentType.External, null, $"VoiceMail({1000 + u})"),
                _ => new RoutedNumber(Number(i), Id(0, t, 0), AssignmentType.User, Id(1, t, u), null),
            };
            if (!rules || !HasRules(i)) continue;
            RouteRule[] all =
            [
                new("+44", false, null, null, new RouteDestination(AssignmentType.Queue, Id(3, t, 0), null)),
                new(null, false, Id(4, t, 0), ScheduleCondition.Holiday, new RouteDestination(AssignmentType.External, null, "Playback(custom/holiday)")),
                new(null, true, null, null, new RouteDestination(AssignmentType.External, null, "Hangup()")),
                new(null, false, Id(4, t, 0), ScheduleCondition.Closed, new RouteDestination(AssignmentType.Ivr, Id(2, t, 0), null)),
            ];
            var failover = i % 2 == 0
                ? new RouteDestination(AssignmentType.Queue, Id(3, t, 0), null)
                : new RouteDestination(AssignmentType.User, Id(1, t, (u + 1) % Users), null);
            numbers[i] = numbers[i] with { Options = new RouteOptions(i % 3 == 0 ? 20 : null, failover, all[..(2 + i / 100 % 3)]) };
        }
        return new DialplanSnapshot(tenants, numbers);
    }

    /// <summary>Set-based SQL that stores the same data set (ids differ; the renderer sorts everything by name).</summary>
    public string SeedSql(string passwordHash) => $"""
        SET synchronous_commit = off;
        INSERT INTO tenants (id, name, slug)
        SELECT md5('t' || t)::uuid, 'Tenant ' || t, 't' || lpad(t::text, 4, '0') FROM generate_series(0, {Tenants - 1}) t;
        INSERT INTO users (id, email, display_name, password_hash, role, tenant_id, extension, security_stamp)
        SELECT md5('u' || t || '-' || u)::uuid, 'u' || u || '@t' || t || '.test', 'User ' || u, '{passwordHash}', 'USER',
               md5('t' || t)::uuid, (1000 + u)::text, md5('s' || t || '-' || u)::uuid
        FROM generate_series(0, {Tenants - 1}) t, generate_series(0, {Users - 1}) u;
        INSERT INTO ivrs (id, tenant_id, name, greeting, timeout_seconds)
        SELECT md5('i' || t)::uuid, md5('t' || t)::uuid, 'main', 'custom/welcome', 5 FROM generate_series(0, {Tenants - 1}) t;
        INSERT INTO queues (id, tenant_id, name, strategy, member_ring_seconds)
        SELECT md5('q' || t)::uuid, md5('t' || t)::uuid, 'support', 'RRMEMORY', 15 FROM generate_series(0, {Tenants - 1}) t;
        INSERT INTO queue_members (queue_id, tenant_id, user_id, position)
        SELECT md5('q' || t)::uuid, md5('t' || t)::uuid, md5('u' || t || '-' || p)::uuid, p
        FROM generate_series(0, {Tenants - 1}) t, generate_series(0, {Math.Min(1, Users - 1)}) p;
        INSERT INTO ivr_destinations (ivr_id, tenant_id, key, dest_type, dest_user_id, dest_queue_id)
        SELECT md5('i' || t)::uuid, md5('t' || t)::uuid, '1', 'USER', md5('u' || t || '-0')::uuid, NULL FROM generate_series(0, {Tenants - 1}) t
        UNION ALL
        SELECT md5('i' || t)::uuid, md5('t' || t)::uuid, '2', 'QUEUE', NULL, md5('q' || t)::uuid FROM generate_series(0, {Tenants - 1}) t;
        INSERT INTO phone_numbers (id, number, status, tenant_id, provider)
        SELECT md5('n' || i)::uuid, '+1200' || lpad(i::text, 7, '0'), 'ASSIGNED', md5('t' || (i % {Tenants}))::uuid, 'bench'
        FROM generate_series(0, {Numbers - 1}) i ORDER BY 2;
        INSERT INTO did_assignments (id, phone_number_id, tenant_id, assigned_type, assigned_id, assigned_value)
        SELECT md5('a' || i)::uuid, md5('n' || i)::uuid, md5('t' || (i % {Tenants}))::uuid,
               CASE i % 10 WHEN 0 THEN 'IVR' WHEN 1 THEN 'QUEUE' WHEN 2 THEN 'EXTERNAL' ELSE 'USER' END,
               CASE i % 10 WHEN 0 THEN md5('i' || (i % {Tenants}))::uuid WHEN 1 THEN md5('q' || (i % {Tenants}))::uuid WHEN 2 THEN NULL
                           ELSE md5('u' || (i % {Tenants}) || '-' || (i / {Tenants} % {Users}))::uuid END,
               CASE WHEN i % 10 = 2 THEN 'VoiceMail(' || (1000 + i / {Tenants} % {Users}) || ')' END
        FROM generate_series(0, {Numbers - 1}) i;
        """;
}

internal static class Mem
{
    /// <summary>VmHWM (peak resident set) of a process in MB, from /proc; -1 when unreadable.</summary>
    public static double PeakMb(int pid) => Read(pid, "VmHWM:");
    public static double RssMb(int pid) => Read(pid, "VmRSS:");

    private static double Read(int pid, string key)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? -1 : long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException) { return -1; }
    }

    public static string Mb(double bytes) => (bytes / (1024 * 1024)).ToString("N1", CultureInfo.InvariantCulture) + " MB";
}

/// <summary>The file-processing steps of an apply in-process on the rendered file (no database, no AMI): where the
/// service's time goes apart from PostgreSQL and the switch.</summary>
internal static class StepsBench
{
    public static async Task<int> RunAsync(Shape shape, int runs, string outDir)
    {
        var settings = new DialplanSettings();
        var snapshot = shape.Snapshot();
        var ext = Path.Combine(outDir, "steps-" + DialplanRenderer.ExtensionsFileName);
        var queues = Path.Combine(outDir, "steps-" + DialplanRenderer.QueuesFileName);
        var live = Path.Combine(outDir, "steps-live.conf");
        void Render()
        {
            using var e = File.Create(ext);
            using var q = File.Create(queues);
            DialplanRenderer.Render(snapshot, settings, e, q);
        }
        Render();
        // The "live" file: the same with one number re-routed (what the second apply sees).
        File.WriteAllText(live, File.ReadAllText(ext).Replace("exten => +12000000003,1,Goto(tenant-t0003,1000,1)", "exten => +12000000003,1,Goto(tenant-t0003,1001,1)"));
        var lintOptions = DialplanLintOptions.For(settings);
        var digests = new List<ContextDigest>();
        using (var r = new StreamReader(ext)) DialplanLinter.Lint(r, lintOptions, digests);
        // The switch: a FakeAsterisk in this process (as in the whole apply) whose config folder holds the rendered file.
        var switchDir = Directory.CreateDirectory(Path.Combine(outDir, "steps-node")).FullName;
        File.Copy(ext, Path.Combine(switchDir, DialplanRenderer.ExtensionsFileName), true);
        await using var ast = await FakeAsterisk.StartAsync(switchDir);
        var node = new Did.Features.Apply.AsteriskNode("asterisk", switchDir, Path.Combine(switchDir, "backup"),
            new Did.Infrastructure.Ami.AmiSessionFactory(Microsoft.Extensions.Options.Options.Create(ast.ClientOptions())));
        Task Sync(Action run) { run(); return Task.CompletedTask; }
        var seen = new LintedSections();
        var (bySectionNext, bySectionOther) = (live, ext);
        DialplanLinter.LintBySection(() => File.OpenRead(live), lintOptions, new List<ContextDigest>(), seen);
        var steps = new (string Name, Func<Task> Run)[]
        {
            ("render (to file)", () => Sync(Render)),
            ("parse only (DialplanParser.ReadContexts)", () => Sync(() => { using var r = new StreamReader(ext); foreach (var _ in DialplanParser.ReadContexts(r)) { } })),
            ("lint (DialplanLinter.Lint, with digests)", () => Sync(() => { using var r = new StreamReader(ext); if (DialplanLinter.Lint(r, lintOptions, new List<ContextDigest>()).Count > 0) throw new InvalidOperationException("lint findings"); })),
            ("lint by section (LintBySection, nothing seen before: a first apply)", () => Sync(() =>
            {
                if (DialplanLinter.LintBySection(() => File.OpenRead(ext), lintOptions, new List<ContextDigest>(), new LintedSections()).Count > 0)
                    throw new InvalidOperationException("lint findings");
            })),
            ("lint by section (LintBySection, one number changed since the last lint)", () => Sync(() =>
            {
                // Alternates between the two files, so each lint finds one context changed since the one before.
                (bySectionNext, bySectionOther) = (bySectionOther, bySectionNext);
                if (DialplanLinter.LintBySection(() => File.OpenRead(bySectionNext), lintOptions, new List<ContextDigest>(), seen).Count > 0)
                    throw new InvalidOperationException("lint findings");
            })),
            ("diff (ConfigDiff.Compare, one line changed)", () => Sync(() => ConfigDiff.Compare(() => File.OpenRead(live), () => File.OpenRead(ext), "x"))),
            ("diff (ConfigDiff.Compare, live file empty)", () => Sync(() => ConfigDiff.Compare(() => Stream.Null, () => File.OpenRead(ext), "x"))),
            ("diff counted as an apply does (ConfigDiff.Count, one line changed)", () => Sync(() => ConfigDiff.Count(() => File.OpenRead(live), () => File.OpenRead(ext)))),
            ("diff counted as an apply does (ConfigDiff.Count, live file empty)", () => Sync(() => ConfigDiff.Count(() => Stream.Null, () => File.OpenRead(ext)))),
            ("reload (fake switch parses the file)", () => Did.Features.Apply.NodeSwitch.ReloadAsync(node, false, CancellationToken.None)),
            ("delta (NodeSwitch.ApplyDeltaAsync, one live change)", async () => await Did.Features.Apply.NodeSwitch.ApplyDeltaAsync(node,
                [new DialplanChange(DialplanChangeKind.Add, "did-1200000", "+12000000003", 1, "Goto", "tenant-t0003,1000,1", Replace: true)], false, CancellationToken.None)),
            ("verify (NodeSwitch.VerifyAsync, 2 connections)", () => Did.Features.Apply.NodeSwitch.VerifyAsync(node, ext, digests, [], 2, CancellationToken.None)),
        };
        Console.WriteLine($"## Apply steps in-process on the rendered file: {shape}");
        Console.WriteLine();
        Console.WriteLine("| step | best ms | median ms | allocated (median) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, run) in steps)
        {
            await run();
            var times = new List<double>();
            var allocs = new List<double>();
            for (var i = 0; i < Math.Max(3, runs / 2); i++)
            {
                GC.Collect();
                var a = GC.GetTotalAllocatedBytes(true);
                var w = Stopwatch.StartNew();
                await run();
                times.Add(w.Elapsed.TotalMilliseconds);
                allocs.Add(GC.GetTotalAllocatedBytes(true) - a);
            }
            Console.WriteLine($"| {name} | {times.Min():N0} | {RenderBench.Median(times):N0} | {Mem.Mb(RenderBench.Median(allocs))} |");
        }
        Console.WriteLine();
        var kept = GC.GetTotalMemory(true);
        GC.KeepAlive(seen);
        seen = new LintedSections();
        Console.WriteLine($"What the lint keeps between applies (LintedSections of this file): {Mem.Mb(kept - GC.GetTotalMemory(true))}.");
        Console.WriteLine();
        return 0;
    }
}

internal static class RenderBench
{
    /// <summary>Times the plain data set (target 250 ms) and the same with <see cref="Shape.RulesPercent"/> % of the numbers
    /// holding 2-4 rules and a failover and a schedule per tenant (issue 18's target: 300 ms).</summary>
    public static int Run(Shape shape, int runs, string outDir)
    {
        Console.WriteLine($"## Render: {shape}");
        Console.WriteLine();
        var plain = Measure(shape, rules: false, runs, outDir);
        var routed = Measure(shape, rules: true, runs, outDir);
        foreach (var (what, m) in new[] { ("plain routes", plain), ($"{shape.RulesPercent} % with 2-4 rules and a failover", routed) })
            Console.WriteLine($"- {what}: {m.Result.NumbersRouted:N0} numbers routed, {m.Result.Users:N0} user extensions, {m.Result.Ivrs:N0} IVRs, " +
                              $"{m.Result.Queues:N0} queues, {m.Result.Shards} shards, {m.Result.Contexts:N0} contexts; snapshot built in " +
                              $"{m.BuildMs:N0} ms, {Mem.Mb(m.SnapshotBytes)} managed.");
        Console.WriteLine();
        Console.WriteLine($"{runs} timed runs each after 3 warm-up runs.");
        Console.WriteLine();
        Console.WriteLine("| render | best | median | target |");
        Console.WriteLine("|---|---:|---:|---|");
        Row("plain -> Stream.Null", plain.Times, 250);
        Row("plain -> files", plain.FileTimes, 250);
        Row($"{shape.RulesPercent} % with rules -> Stream.Null", routed.Times, 300);
        Row($"{shape.RulesPercent} % with rules -> files", routed.FileTimes, 300);
        Console.WriteLine();
        Console.WriteLine("| output and memory | plain | with rules |");
        Console.WriteLine("|---|---:|---:|");
        Console.WriteLine($"| extensions_custom.conf | {Mem.Mb(plain.ExtBytes)} ({plain.Lines:N0} lines) | {Mem.Mb(routed.ExtBytes)} ({routed.Lines:N0} lines) |");
        Console.WriteLine($"| queues_custom.conf | {Mem.Mb(plain.QueuesBytes)} | {Mem.Mb(routed.QueuesBytes)} |");
        Console.WriteLine($"| allocated per render (median, GC.GetTotalAllocatedBytes) | {Mem.Mb(Median(plain.Allocs))} | {Mem.Mb(Median(routed.Allocs))} |");
        Console.WriteLine($"| gen2 collections during the timed runs (besides the forced ones) | {plain.Gen2} | {routed.Gen2} |");
        Console.WriteLine($"| process peak RSS (VmHWM: runtime + snapshots + renders) | {Mem.PeakMb(Environment.ProcessId):N0} MB | |");
        Console.WriteLine();
        return 0;
    }

    private static void Row(string what, List<double> times, int target) =>
        Console.WriteLine($"| {what} | {times.Min():N0} ms | {Median(times):N0} ms | < {target} ms: {(Median(times) < target ? "met" : "NOT met")} |");

    private sealed record Measured(RenderResult Result, double BuildMs, long SnapshotBytes, List<double> Times, List<double> FileTimes,
        List<double> Allocs, int Gen2, long ExtBytes, long QueuesBytes, long Lines);

    private static Measured Measure(Shape shape, bool rules, int runs, string outDir)
    {
        var settings = new DialplanSettings();
        var before = GC.GetTotalMemory(true);
        var build = Stopwatch.StartNew();
        var snapshot = shape.Snapshot(rules);
        build.Stop();
        var snapshotBytes = GC.GetTotalMemory(true) - before;

        // Into Stream.Null: the same UTF-8 encoding work as a file, without the disk.
        RenderResult? result = null;
        RenderResult Once(Stream ext, Stream queues) => DialplanRenderer.Render(snapshot, settings, ext, queues);
        for (var i = 0; i < 3; i++) result = Once(Stream.Null, Stream.Null); // warm-up: JIT, tiering
        var times = new List<double>();
        var allocs = new List<double>();
        var gen2 = GC.CollectionCount(2);
        for (var i = 0; i < runs; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var a = GC.GetTotalAllocatedBytes(true);
            var w = Stopwatch.StartNew();
            result = Once(Stream.Null, Stream.Null);
            times.Add(w.Elapsed.TotalMilliseconds);
            allocs.Add(GC.GetTotalAllocatedBytes(true) - a);
        }
        gen2 = GC.CollectionCount(2) - gen2 - runs; // minus the explicit collections

        // Into real files, as the apply's render step does (unbuffered FileStream, no fsync).
        var suffix = rules ? "rules-" : "";
        var extPath = Path.Combine(outDir, "render-" + suffix + DialplanRenderer.ExtensionsFileName);
        var queuesPath = Path.Combine(outDir, "render-" + suffix + DialplanRenderer.QueuesFileName);
        var fileTimes = new List<double>();
        for (var i = 0; i < Math.Max(3, runs / 2); i++)
        {
            GC.Collect();
            var w = Stopwatch.StartNew();
            using (var e = new FileStream(extPath, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            using (var q = new FileStream(queuesPath, FileMode.Create, FileAccess.Write, FileShare.None, 1))
                Once(e, q);
            fileTimes.Add(w.Elapsed.TotalMilliseconds);
        }
        return new Measured(result!, build.Elapsed.TotalMilliseconds, snapshotBytes, times, fileTimes, allocs, gen2,
            new FileInfo(extPath).Length, new FileInfo(queuesPath).Length, File.ReadLines(extPath).LongCount());
    }

    public static double Median(List<double> xs)
    {
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}

internal static class WholeApplyBench
{
    private const string AdminEmail = "bench@did.local";
    private const string AdminPassword = "bench-password-123";

    public static async Task<int> RunAsync(Shape shape, string outDir)
    {
        await using var bench = await BenchService.StartAsync(shape, outDir, "apply");
        var (http, service, ast) = (bench.Http, bench.Service, bench.Switch);
        var idle = (Rss: Mem.RssMb(service.Id), Peak: Mem.PeakMb(service.Id));
        // BENCH_SWITCH_COST: "real" (the fake switch costs what the measured Asterisk costs: FakeSwitchCost.RealAsterisk),
        // "free" (the fake's own speed), or "both" (free first, then real; bench/apply.sh's default).
        var costs = (Environment.GetEnvironmentVariable("BENCH_SWITCH_COST") ?? "both") switch
        {
            "real" => new[] { ("real-cost switch", FakeSwitchCost.RealAsterisk) },
            "free" => [("plain fake switch", FakeSwitchCost.Free)],
            _ => [("plain fake switch", FakeSwitchCost.Free), ("real-cost switch", FakeSwitchCost.RealAsterisk)],
        };
        var ok = true;
        var round = 0;
        foreach (var (label, cost) in costs)
        {
            // Each round starts from an empty switch: no live files, nothing installed.
            ast.Options.Cost = cost;
            ast.ClearDialplan();
            foreach (var file in new[] { DialplanRenderer.ExtensionsFileName, DialplanRenderer.QueuesFileName })
                File.Delete(Path.Combine(bench.Node, file));
            var reloadsBefore = ast.DialplanReloads;
            var listedBefore = ast.CountActions("ShowDialPlan");

            // The applies: a first one onto the empty switch, then one number re-routed (the switch already holds the full
            // dialplan), then one with nothing changed.
            var runs = new List<(string Name, ApplyRun Run)>();
            runs.Add(("first apply (empty switch: everything new)", await ApplyAsync(http, service.Id)));
            await using (var conn = new NpgsqlConnection(bench.Database))
            {
                await conn.OpenAsync();
                // Number 3 goes from its user to another user of its tenant (and back in the next round): one line in one
                // shard changes.
                await using var cmd = new NpgsqlCommand($"""
                    UPDATE did_assignments SET assigned_id = md5('u' || 3 || '-' || {(round % 2 == 0 ? Math.Min(1, shape.Users - 1) : 0)})::uuid, updated_at = now()
                    WHERE id = md5('a3')::uuid
                    """, conn);
                await cmd.ExecuteNonQueryAsync();
            }
            runs.Add(("second apply (one number re-routed)", await ApplyAsync(http, service.Id)));
            runs.Add(("third apply (nothing changed)", await ApplyAsync(http, service.Id)));

            var live = ast.Dialplan;
            var routes = live.Contexts.Values.Where(c => c.Name.StartsWith("did-", StringComparison.Ordinal))
                .Sum(c => c.Extensions.Count(e => !e.IsPattern));
            var (listings, reloads) = (ast.CountActions("ShowDialPlan") - listedBefore, ast.DialplanReloads - reloadsBefore);
            var peak = Mem.PeakMb(service.Id);

            // Then drift checks (issue 19): one of the switch as the applies left it, in sync; and one during which one
            // more number is re-routed through the API and applied.
            var inSync = await DriftBench.CheckAsync(http, ast, service.Id);
            var during = await DriftBench.ApplyDuringCheckAsync(http, ast, service.Id, shape, round);
            round++;

            Print($"{shape}, {label}", runs, idle, peak, live.Contexts.Count, routes, listings, reloads, (long)shape.Tenants * shape.Users);
            DriftBench.Print($"{shape}, {label}", inSync, during, runs[1].Run);
            ok &= runs.All(r => r.Run.Status is "SUCCEEDED" or "NO_CHANGES") && inSync.Status == "IN_SYNC"
                  && during.Apply.Status is "SUCCEEDED" or "NO_CHANGES";
        }
        Console.WriteLine($"Service start-up (process start to /health/ready answering, polled every 50 ms): {bench.ReadyMs:N0} ms.");
        Console.WriteLine($"Machine load when the bench ended (/proc/loadavg): {File.ReadAllText("/proc/loadavg").Trim()}.");
        return ok ? 0 : 1;
    }

    public static async Task<ApplyRun> ApplyAsync(HttpClient http, int pid)
    {
        var w = Stopwatch.StartNew();
        var response = await http.PostAsync("/api/v1/apply", null);
        var text = await response.Content.ReadAsStringAsync();
        var wall = w.Elapsed.TotalMilliseconds;
        var body = JsonDocument.Parse(text).RootElement;
        var job = body.TryGetProperty("job", out var j) ? j : body;
        if (!job.TryGetProperty("steps", out var steps))
            throw new InvalidOperationException($"apply answered {(int)response.StatusCode}: {text[..Math.Min(600, text.Length)]}");
        var list = steps.EnumerateArray().Select(s => (s.GetProperty("name").GetString()!, s.GetProperty("status").GetString()!,
            s.GetProperty("duration_ms").GetInt64(), s.GetProperty("output").GetString() ?? "")).ToList();
        var error = job.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        Console.Error.WriteLine($"apply: {(int)response.StatusCode} {job.GetProperty("status").GetString()} in {wall:N0} ms{(error is null ? "" : ": " + error)}");
        return new ApplyRun(job.GetProperty("status").GetString()!, wall, list, Mem.PeakMb(pid), Mem.RssMb(pid), error);
    }

    public sealed record ApplyRun(string Status, double WallMs, List<(string Name, string Status, long Ms, string Output)> Steps,
        double PeakMb, double RssMb, string? Error);

    private static void Print(string title, List<(string Name, ApplyRun Run)> runs, (double Rss, double Peak) idle, double peak,
        int liveContexts, int liveRoutes, int listings, int reloads, long users)
    {
        // Issue 19: onto an empty switch < 4 s with 10,000 users (< 5 s with 500,000), one number changed < 0.5 s,
        // nothing changed < 0.2 s.
        int[] targets = [users <= 10_000 ? 4000 : 5000, 500, 200];
        Console.WriteLine($"## Whole apply: {title}");
        Console.WriteLine();
        Console.WriteLine("POST /api/v1/apply on the Release service (own process) against a real PostgreSQL holding the data set and a");
        Console.WriteLine("FakeAsterisk (real AMI over TCP on 127.0.0.1, in the bench process). Step times are the job's duration_ms.");
        Console.WriteLine();
        var names = runs.SelectMany(r => r.Run.Steps.Select(s => s.Name)).Distinct().ToList();
        Console.WriteLine("| step (ms) | " + string.Join(" | ", runs.Select(r => r.Name)) + " |");
        Console.WriteLine("|---|" + string.Concat(runs.Select(_ => "---:|")));
        foreach (var n in names)
            Console.WriteLine($"| {n} | " + string.Join(" | ", runs.Select(r => r.Run.Steps.FirstOrDefault(s => s.Name == n) is { Name: not null } s
                ? (s.Status == "OK" ? s.Ms.ToString("N0", CultureInfo.InvariantCulture) : $"{s.Ms:N0} {s.Status}") : "-")) + " |");
        Console.WriteLine("| sum of steps | " + string.Join(" | ", runs.Select(r => r.Run.Steps.Sum(s => s.Ms).ToString("N0", CultureInfo.InvariantCulture))) + " |");
        Console.WriteLine("| **total wall time of the request** | " + string.Join(" | ", runs.Select(r => $"**{r.Run.WallMs:N0}**")) + " |");
        Console.WriteLine("| issue 19 target (real-cost switch) | " + string.Join(" | ", runs.Select((r, i) =>
            $"< {targets[i]:N0}: {(r.Run.WallMs < targets[i] ? "met" : "NOT met")}")) + " |");
        Console.WriteLine("| job status | " + string.Join(" | ", runs.Select(r => r.Run.Status)) + " |");
        Console.WriteLine("| service VmHWM after the request (MB) | " + string.Join(" | ", runs.Select(r => r.Run.PeakMb.ToString("N0", CultureInfo.InvariantCulture))) + " |");
        Console.WriteLine("| service VmRSS after the request (MB) | " + string.Join(" | ", runs.Select(r => r.Run.RssMb.ToString("N0", CultureInfo.InvariantCulture))) + " |");
        Console.WriteLine();
        Console.WriteLine($"Service memory: {idle.Rss:N0} MB resident when idle after start-up (VmHWM {idle.Peak:N0} MB); peak over the whole run " +
                          $"(VmHWM) {peak:N0} MB. The fake switch holds {liveContexts:N0} contexts with {liveRoutes:N0} numbers in did-* contexts; " +
                          $"it received {listings:N0} ShowDialPlan and {reloads} dialplan reloads in these applies.");
        foreach (var (name, run) in runs)
            foreach (var s in run.Steps.Where(s => s.Name.StartsWith("verify", StringComparison.Ordinal) || s.Name.StartsWith("plan", StringComparison.Ordinal)
                                                   || s.Name.StartsWith("delta", StringComparison.Ordinal) || s.Name is "render" or "lint"))
                Console.WriteLine($"- {name}, {s.Name}: {s.Output}");
        Console.WriteLine();
    }
}
