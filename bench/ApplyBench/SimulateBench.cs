using System.Diagnostics;
using System.Globalization;
using Did.Dialplan;

/// <summary>GET /api/v1/routing/simulate (source LIVE) on the Release service with the data set live: one apply deploys it,
/// then the switch's live file is replaced by the same data set rendered with rules (<see cref="Shape.RulesPercent"/> %
/// of the numbers with 2-4 rules and a failover, a schedule per tenant), as the next apply would write it once rules are in
/// the database. Requests pick numbers, callers, moments and dial statuses at random (fixed seed); the first one after
/// the file changed indexes it and is reported apart. Latency is the HTTP request as the client sees it.</summary>
internal static class SimulateBench
{
    public static async Task<int> RunAsync(Shape shape, int requests, string outDir)
    {
        await using var bench = await BenchService.StartAsync(shape, outDir, "simulate");
        var apply = await WholeApplyBench.ApplyAsync(bench.Http, bench.Service.Id);
        if (apply.Status != "SUCCEEDED") throw new InvalidOperationException($"the apply ended {apply.Status}: {apply.Error}");

        var live = Path.Combine(bench.Node, DialplanRenderer.ExtensionsFileName);
        var queues = Path.Combine(bench.Node, DialplanRenderer.QueuesFileName);
        RenderResult rendered;
        await using (var e = File.Create(live + ".new"))
        await using (var q = File.Create(queues + ".new"))
            rendered = DialplanRenderer.Render(shape.Snapshot(rules: true), new DialplanSettings(), e, q);
        File.Move(live + ".new", live, overwrite: true);
        File.Move(queues + ".new", queues, overwrite: true);

        var walks = InProcess(shape, live, queues, requests);
        var random = new Random(18);
        string?[] callers = [null, "+442071234567", "+12125550100", "anonymous", "+33123456789", "+44\"${SHELL(id)}\""];
        string[] statuses = ["ANSWER", "NOANSWER", "BUSY", "CHANUNAVAIL", "TIMEOUT", "JOINEMPTY"];
        string Next()
        {
            var i = random.Next(shape.Numbers);
            var at = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(2 * 365 * 24 * 60));
            var caller = callers[random.Next(callers.Length)];
            return "/api/v1/routing/simulate?number=" + Uri.EscapeDataString(Shape.Number(i))
                   + "&at=" + Uri.EscapeDataString(at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture))
                   + "&dial_status=" + statuses[random.Next(statuses.Length)]
                   + (caller is null ? "" : "&caller_id=" + Uri.EscapeDataString(caller));
        }

        async Task<double> Once(HttpClient http, string url)
        {
            var w = Stopwatch.StartNew();
            using var response = await http.GetAsync(url);
            await response.Content.ReadAsByteArrayAsync();
            var ms = w.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return ms;
        }

        var first = await Once(bench.Http, Next());
        for (var i = 0; i < 50; i++) await Once(bench.Http, Next()); // warm-up: JIT of the walk and the lookups
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        var sequential = new List<double>();
        for (var i = 0; i < requests; i++) sequential.Add(await Once(bench.Http, Next()));
        var concurrent = new List<double>();
        var urls = Enumerable.Range(0, requests).Select(_ => Next()).ToList();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            for (var k = Interlocked.Increment(ref next); k < urls.Count; k = Interlocked.Increment(ref next))
            {
                var ms = await Once(bench.Http, urls[k]);
                lock (concurrent) concurrent.Add(ms);
            }
        }));
        var loadAfter = File.ReadAllText("/proc/loadavg").Split(' ')[..3];

        Console.WriteLine($"## Simulate: {shape}, {shape.RulesPercent} % with rules");
        Console.WriteLine();
        Console.WriteLine($"GET /api/v1/routing/simulate (LIVE) on the Release service; the live file holds {rendered.NumbersRouted:N0} routed numbers " +
                          $"in {rendered.Contexts:N0} contexts ({Mem.Mb(new FileInfo(live).Length)}). Load average before / after: " +
                          $"{string.Join(" ", load)} / {string.Join(" ", loadAfter)}.");
        Console.WriteLine();
        Console.WriteLine("| requests | n | p50 ms | p95 ms | p99 ms | max ms | target |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        Console.WriteLine($"| first after the file changed (indexes it) | 1 | {first:N1} | | | | |");
        Row("one client, one after another", sequential);
        Row("4 clients at once", concurrent);
        Row("in-process walk only (DialplanFile + DialplanWalker, no HTTP, no database)", walks);
        Console.WriteLine();
        Console.WriteLine($"Service VmHWM {Mem.PeakMb(bench.Service.Id):N0} MB, VmRSS {Mem.RssMb(bench.Service.Id):N0} MB after the run.");
        Console.WriteLine();
        return 0;
    }

    /// <summary>The walk alone, in this process, on the same live file: what of a request's time is the dialplan's.</summary>
    private static List<double> InProcess(Shape shape, string live, string queues, int requests)
    {
        var random = new Random(7);
        var settings = QueueSettings.Read(new StringReader(File.ReadAllText(queues)));
        string?[] callers = [null, "+442071234567", "+12125550100", "anonymous"];
        var statuses = Enum.GetValues<DialStatus>();
        var times = new List<double>();
        for (var i = 0; i < requests + 50; i++)
        {
            var request = new WalkRequest(Shape.Number(random.Next(shape.Numbers)), callers[random.Next(callers.Length)],
                new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(2 * 365 * 24 * 60)), statuses[random.Next(statuses.Length)]);
            var w = Stopwatch.StartNew();
            using (var file = Did.Features.Routing.DialplanFile.OpenAsync(live, cache: true, CancellationToken.None).GetAwaiter().GetResult()!)
                DialplanWalker.Walk(file, request, settings);
            if (i >= 50) times.Add(w.Elapsed.TotalMilliseconds); // the first ones index the file and compile the walk
        }
        return times;
    }

    private static void Row(string what, List<double> ms)
    {
        var s = ms.Order().ToList();
        double P(double p) => s[Math.Min(s.Count - 1, (int)Math.Ceiling(p * s.Count) - 1)];
        Console.WriteLine($"| {what} | {s.Count:N0} | {P(0.5):N1} | {P(0.95):N1} | {P(0.99):N1} | {s[^1]:N1} | p95 < 20 ms: {(P(0.95) < 20 ? "met" : "NOT met")} |");
    }
}
