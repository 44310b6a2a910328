using System.Text.Json;
using System.Text.Json.Serialization;
using Did.Infrastructure.Validation;

namespace Did.Infrastructure.Json;

/// <summary>A timestamp in a body is read as <see cref="Timestamps"/> reads one in a query string: an RFC 3339 date-time,
/// seconds included, with <c>Z</c> or an offset, as that instant, or refused naming what was sent. System.Text.Json's
/// own reader also takes a date alone or a time without a zone, and reads them in the server's zone: a value the client
/// never sent (docs/decisions.md, "A value is read as sent, or refused").</summary>
public sealed class TimestampConverter : JsonConverter<DateTimeOffset>
{
    /// <summary>How the refusal starts; the problem writer words the rest after the field's path.</summary>
    public const string Expected = "Expected an RFC 3339 date-time: ";

    private const int Echoed = 64;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException(Expected + "must be a string: " + Timestamps.ShapeRule + ".");
        var sent = reader.GetString()!;
        if (Timestamps.TryRead(sent, out var instant)) return instant;
        var shown = sent.Length <= Echoed ? sent : sent[..Echoed] + "...";
        throw new JsonException(Expected + (Timestamps.HasShape(sent)
            ? $"{Timestamps.Refusal(sent)} (you sent '{shown}')."
            : $"{Timestamps.ShapeRule} (you sent '{shown}')."));
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
