// Assignment churn over HTTP: each client owns its own numbers and repeats POST /assign then DELETE /assign on them.
// Usage: LoadGen BASE_URL TOKEN USER_ID IDS_FILE CLIENTS SECONDS [WARMUP_SECONDS]
// IDS_FILE holds one phone number id per line; client c takes lines c, c+CLIENTS, c+2*CLIENTS, ...
// Prints one line: RESULT clients=.. requests=.. rps=.. pairs_per_s=.. p50_ms=.. p95_ms=.. p99_ms=.. max_ms=.. errors=..
// Requests that finish during the warm-up are not counted. A client always finishes its pair, so no number is left
// assigned when the run ends (unless a request failed).
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

if (args.Length < 6)
{
    Console.Error.WriteLine("usage: LoadGen BASE_URL TOKEN USER_ID IDS_FILE CLIENTS SECONDS [WARMUP_SECONDS]");
    return 2;
}
var baseUrl = args[0].TrimEnd('/');
var token = args[1];
var userId = args[2];
var ids = File.ReadAllLines(args[3]).Where(l => l.Length > 0).ToArray();
var clients = int.Parse(args[4]);
var seconds = double.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture);
var warmup = args.Length > 6 ? double.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture) : 2;
if (ids.Length < clients) throw new InvalidOperationException($"{ids.Length} numbers for {clients} clients");

using var http = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = clients,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    UseProxy = false,
    AutomaticDecompression = DecompressionMethods.None,
})
{ BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(30) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
var body = Encoding.UTF8.GetBytes($$"""{"assigned_type":"USER","assigned_id":"{{userId}}"}""");

var freq = (double)Stopwatch.Frequency;
var start = Stopwatch.GetTimestamp();
var measureFrom = start + (long)(warmup * freq);
var stopAt = measureFrom + (long)(seconds * freq);
var perClient = new List<double>[clients];
var errors = new int[clients];
var firstErrors = new System.Collections.Concurrent.ConcurrentQueue<string>();

async Task<bool> Send(HttpRequestMessage req, HttpStatusCode expected, int c)
{
    var t0 = Stopwatch.GetTimestamp();
    bool ok;
    try
    {
        using var res = await http.SendAsync(req);
        var text = await res.Content.ReadAsStringAsync();
        ok = res.StatusCode == expected;
        if (!ok && firstErrors.Count < 5) firstErrors.Enqueue($"{req.Method} {req.RequestUri}: {(int)res.StatusCode} {text[..Math.Min(text.Length, 300)]}");
    }
    catch (Exception e)
    {
        ok = false;
        if (firstErrors.Count < 5) firstErrors.Enqueue($"{req.Method} {req.RequestUri}: {e.GetType().Name} {e.Message}");
    }
    var t1 = Stopwatch.GetTimestamp();
    if (t1 >= measureFrom && t1 <= stopAt)
    {
        perClient[c].Add((t1 - t0) * 1000.0 / freq);
        if (!ok) errors[c]++;
    }
    return ok;
}

async Task Client(int c)
{
    perClient[c] = new List<double>(1 << 16);
    var mine = ids.Where((_, i) => i % clients == c).ToArray();
    for (var i = 0; Stopwatch.GetTimestamp() < stopAt; i++)
    {
        var id = mine[i % mine.Length];
        var assign = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/dids/{id}/assign")
        { Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } } };
        await Send(assign, HttpStatusCode.Created, c);
        await Send(new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/dids/{id}/assign"), HttpStatusCode.NoContent, c);
    }
}

await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => Client(c))));
var all = perClient.SelectMany(l => l).Order().ToArray();
double P(double q) => all.Length == 0 ? double.NaN : all[(int)Math.Min(all.Length - 1, Math.Ceiling(q * all.Length) - 1)];
var rps = all.Length / seconds;
var inv = System.Globalization.CultureInfo.InvariantCulture;
foreach (var e in firstErrors) Console.Error.WriteLine("error: " + e);
Console.WriteLine(string.Create(inv,
    $"RESULT clients={clients} requests={all.Length} rps={rps:F0} pairs_per_s={rps / 2:F0} p50_ms={P(0.50):F1} p95_ms={P(0.95):F1} p99_ms={P(0.99):F1} max_ms={P(1.0):F1} errors={errors.Sum()}"));
return 0;
