using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Did.Tests.Observability;

/// <summary>One span as an OTLP collector receives it.</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope);

/// <summary>A tiny OTLP/HTTP collector on a loopback port: it takes <c>POST /v1/traces</c> (protobuf), decodes the
/// spans' ids, names, kinds and scopes, and keeps them.</summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public string Endpoint => _app.Urls.Single();

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public int Requests { get; private set; }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver.Requests++;
            foreach (var span in Decode(body.ToArray())) receiver._spans.Enqueue(span);
            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    // ScopeSpans { InstrumentationScope scope = 1 { string name = 1; }; repeated Span spans = 2; }
    // Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6; }
    private static IEnumerable<ReceivedSpan> Decode(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1))
        foreach (var scopeSpans in Fields(resourceSpans.Bytes).Where(f => f.Number == 2))
        {
            var fields = Fields(scopeSpans.Bytes).ToList();
            var scope = fields.Where(f => f.Number == 1).Select(f => Text(Fields(f.Bytes).FirstOrDefault(n => n.Number == 1).Bytes)).FirstOrDefault() ?? "";
            foreach (var span in fields.Where(f => f.Number == 2))
            {
                var s = Fields(span.Bytes).ToList();
                byte[] Of(int n) => s.FirstOrDefault(f => f.Number == n).Bytes ?? [];
                yield return new ReceivedSpan(Convert.ToHexStringLower(Of(1)), Convert.ToHexStringLower(Of(2)), Convert.ToHexStringLower(Of(4)),
                    Text(Of(5)), (int)s.FirstOrDefault(f => f.Number == 6).Varint, scope);
            }
        }
    }

    private static string Text(byte[]? bytes) => bytes is null ? "" : Encoding.UTF8.GetString(bytes);

    private readonly record struct Field(int Number, byte[]? Bytes, ulong Varint);

    /// <summary>The fields of one protobuf message: length-delimited ones as bytes, varints as numbers; fixed-width ones
    /// (timestamps) are skipped.</summary>
    private static IEnumerable<Field> Fields(byte[]? message)
    {
        var data = message ?? [];
        var i = 0;
        while (i < data.Length)
        {
            var key = ReadVarint(data, ref i);
            var (number, wire) = ((int)(key >> 3), (int)(key & 7));
            switch (wire)
            {
                case 0:
                    yield return new Field(number, null, ReadVarint(data, ref i));
                    break;
                case 1:
                    i += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(data, ref i);
                    yield return new Field(number, data[i..(i + length)], 0);
                    i += length;
                    break;
                case 5:
                    i += 4;
                    break;
                default:
                    throw new FormatException($"Unexpected protobuf wire type {wire}.");
            }
        }
    }

    private static ulong ReadVarint(byte[] data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }
}
