using System.Text.Json;
using System.Text.Json.Serialization;

namespace Did.Infrastructure.Json;

/// <summary>Enums travel as their UPPERCASE names only: System.Text.Json's own converter also accepts the C# member
/// names in any case, which would make "PlatformAdmin" and "platform_admin" silently valid.</summary>
public sealed class StrictEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type t) => t.IsEnum;

    public override JsonConverter CreateConverter(Type t, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(StrictEnumConverter<>).MakeGenericType(t))!;
}

public static class StrictEnumConverter
{
    /// <summary>How the refusal of a value starts; the wire names follow, and the problem writer reads them from there.</summary>
    public const string Expected = "Expected one of ";
}

public sealed class StrictEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"{StrictEnumConverter.Expected}{string.Join(", ", ApiJson.Names<T>())}.");
        return ApiJson.TryParse<T>(reader.GetString(), out var value)
            ? value
            : throw new JsonException($"{StrictEnumConverter.Expected}{string.Join(", ", ApiJson.Names<T>())}.");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(ApiJson.Name(value));

    public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Read(ref reader, typeToConvert, options);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WritePropertyName(ApiJson.Name(value));
}

/// <summary>An enum in a query string (<c>?role=TENANT_ADMIN</c>): minimal APIs bind enums by C# name, so this binds
/// by wire name instead. The OpenAPI document shows it as the enum's names.</summary>
public readonly record struct QueryEnum<T>(T Value) where T : struct, Enum
{
    public static bool TryParse(string? s, IFormatProvider? provider, out QueryEnum<T> result)
    {
        var ok = ApiJson.TryParse<T>(s, out var value);
        result = new QueryEnum<T>(value);
        if (!ok) QueryEnums.Refused<T>();
        return ok;
    }

    public override string ToString() => ApiJson.Name(Value);
}

/// <summary>The wire names of each enum whose query value was refused, by its C# name: the binding failure that follows a
/// refusal names only the parameter's type and name, and its 400 must also say which values the parameter takes.</summary>
public static partial class QueryEnums
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Accepted = new(StringComparer.Ordinal);

    internal static void Refused<T>() where T : struct, Enum =>
        Accepted.TryAdd(typeof(T).Name, string.Join(", ", ApiJson.Names<T>()));

    /// <summary>"ANSWER, NOANSWER, ..." for a parameter type that names <c>QueryEnum&lt;DialStatus&gt;</c> (nullable or not,
    /// with or without namespaces) whose value was refused; null for any other type.</summary>
    public static string? AcceptedBy(string parameterType) =>
        QueryEnumType().Match(parameterType) is { Success: true } m && Accepted.TryGetValue(m.Groups["name"].Value, out var names) ? names : null;

    [System.Text.RegularExpressions.GeneratedRegex(@"QueryEnum<(?:[\w.]+\.)?(?<name>\w+)>")]
    private static partial System.Text.RegularExpressions.Regex QueryEnumType();
}
