// Assignment churn over HTTP: each client owns its own numbers and repeats POST /assign then DELETE /assign on them.
// Usage: LoadGen BASE_URL TOKEN USER_ID IDS_FILE CLIENTS SECONDS [WARMUP_SECONDS]
// IDS_FILE holds one phone number id per line; client c takes lines c, c+CLIENTS, c+2*CLIENTS, ...
// Prints one line: RESULT clients=.. requests=.. rps=.. pairs_per_s=.. p50_ms=.. p95_ms=.. p99_ms=.. max_ms=.. errors=..
// Requests that finish during the warm-up are not counted. A client always finishes its pair, so no number is left
// assigned when the run ends (unless a request failed).
//
// Each client is one keep-alive HTTP/1.1 connection that writes prebuilt request bytes and reads the response with a
// minimal parser (status line, Content-Length or chunked body), like wrk. The load generator shares the 2 cores with
// the service and PostgreSQL; HttpClient cost ~0.4 ms of CPU per request here, this costs a fraction of that, so more
// of the machine measures the service (real clients are elsewhere). The latency is from the first byte written to the
// last byte of the response read.
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

if (args.Length < 6)
{
    Console.Error.WriteLine("usage: LoadGen BASE_URL TOKEN USER_ID IDS_FILE CLIENTS SECONDS [WARMUP_SECONDS]");
    return 2;
}
var baseUri = new Uri(args[0]);
var token = args[1];
var userId = args[2];
var ids = File.ReadAllLines(args[3]).Where(l => l.Length > 0).ToArray();
var clients = int.Parse(args[4]);
var seconds = double.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture);
var warmup = args.Length > 6 ? double.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture) : 2;
if (ids.Length < clients) throw new InvalidOperationException($"{ids.Length} numbers for {clients} clients");

var host = $"{baseUri.Host}:{baseUri.Port}";
var body = $$"""{"assigned_type":"USER","assigned_id":"{{userId}}"}""";
byte[] Post(string id) => Encoding.ASCII.GetBytes(
    $"POST {baseUri.AbsolutePath.TrimEnd('/')}/api/v1/dids/{id}/assign HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n" +
    $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}");
byte[] Delete(string id) => Encoding.ASCII.GetBytes(
    $"DELETE {baseUri.AbsolutePath.TrimEnd('/')}/api/v1/dids/{id}/assign HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n");

var freq = (double)Stopwatch.Frequency;
var start = Stopwatch.GetTimestamp();
var measureFrom = start + (long)(warmup * freq);
var stopAt = measureFrom + (long)(seconds * freq);
var perClient = new List<double>[clients];
var errors = new int[clients];
var firstErrors = new System.Collections.Concurrent.ConcurrentQueue<string>();

async Task Client(int c)
{
    perClient[c] = new List<double>(1 << 16);
    var mine = ids.Where((_, i) => i % clients == c).Select(id => (Id: id, Post: Post(id), Delete: Delete(id))).ToArray();
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await socket.ConnectAsync(baseUri.Host, baseUri.Port);
    var reader = new ResponseReader(socket);
    for (var i = 0; Stopwatch.GetTimestamp() < stopAt; i++)
    {
        var n = mine[i % mine.Length];
        await Send(socket, reader, n.Post, 201, $"POST {n.Id}", c);
        await Send(socket, reader, n.Delete, 204, $"DELETE {n.Id}", c);
    }
}

async Task Send(Socket socket, ResponseReader reader, byte[] request, int expected, string what, int c)
{
    var t0 = Stopwatch.GetTimestamp();
    await socket.SendAsync(request);
    var (status, text) = await reader.ReadAsync();
    var t1 = Stopwatch.GetTimestamp();
    var ok = status == expected;
    if (!ok && firstErrors.Count < 5) firstErrors.Enqueue($"{what}: {status} {text[..Math.Min(text.Length, 300)]}");
    if (t1 >= measureFrom && t1 <= stopAt)
    {
        perClient[c].Add((t1 - t0) * 1000.0 / freq);
        if (!ok) errors[c]++;
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

/// <summary>Reads one HTTP/1.1 response at a time from a keep-alive connection: the status code, and the body (by
/// Content-Length or chunked), returned as text only when it is needed for an error message.</summary>
sealed class ResponseReader(Socket socket)
{
    private readonly byte[] _buf = new byte[1 << 16];
    private int _start, _end;

    public async Task<(int Status, string Text)> ReadAsync()
    {
        int headerEnd;
        while ((headerEnd = IndexOf("\r\n\r\n"u8)) < 0) await FillAsync();
        var head = Encoding.ASCII.GetString(_buf, _start, headerEnd - _start);
        _start = headerEnd + 4;
        var status = int.Parse(head.AsSpan(9, 3));
        long length = 0;
        var chunked = false;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = long.Parse(line.AsSpan(15).Trim());
            else if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase)) chunked = true;
        }
        var text = new StringBuilder();
        if (chunked)
        {
            while (true)
            {
                int lineEnd;
                while ((lineEnd = IndexOf("\r\n"u8)) < 0) await FillAsync();
                var size = Convert.ToInt32(Encoding.ASCII.GetString(_buf, _start, lineEnd - _start).Split(';')[0], 16);
                _start = lineEnd + 2;
                while (_end - _start < size + 2) await FillAsync();
                if (status >= 300) text.Append(Encoding.UTF8.GetString(_buf, _start, size));
                _start += size + 2;
                if (size == 0) break; // no trailers from Kestrel: the last chunk ends with its CRLF
            }
        }
        else
        {
            while (_end - _start < length) await FillAsync();
            if (status >= 300) text.Append(Encoding.UTF8.GetString(_buf, _start, (int)length));
            _start += (int)length;
        }
        return (status, text.ToString());
    }

    private int IndexOf(ReadOnlySpan<byte> needle)
    {
        var i = _buf.AsSpan(_start, _end - _start).IndexOf(needle);
        return i < 0 ? -1 : _start + i;
    }

    private async Task FillAsync()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buf.Length) throw new InvalidOperationException("response larger than the buffer");
        var n = await socket.ReceiveAsync(_buf.AsMemory(_end));
        if (n == 0) throw new IOException("the server closed the connection");
        _end += n;
    }
}
