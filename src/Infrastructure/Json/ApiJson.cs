using System.Text.Json;
using System.Text.Json.Serialization;

namespace Did.Infrastructure.Json;

/// <summary>The one JSON dialect of the API: snake_case names, UPPERCASE enum names, no integers for enums,
/// no numbers in strings, nullability and required members enforced. Used for HTTP, audit rows and OpenAPI.</summary>
public static class ApiJson
{
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.NumberHandling = JsonNumberHandling.Strict;
        o.RespectNullableAnnotations = true;
        o.RespectRequiredConstructorParameters = true;
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow; // a misspelt or read-only field is an error, not a silent no-op
        o.AllowDuplicateProperties = false; // {"role":"USER","role":"PLATFORM_ADMIN"} is ambiguous: refused, not last-one-wins
        o.Converters.Add(new StrictEnumConverterFactory());
        o.Converters.Add(new TimestampConverter()); // a date-time without Z or an offset would be read in the server's zone
    }

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(o);
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>The property a JSON reader refused because it came twice (System.Text.Json names it in its message,
    /// "Duplicate property 'k' ..."), or null for any other error: the API's bodies and the import's metadata cells
    /// word that refusal from it.</summary>
    public static string? DuplicateProperty(string? message)
    {
        const string prefix = "Duplicate property '";
        if (message is null || !message.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var end = message.IndexOf('\'', prefix.Length);
        return end < 0 ? null : message[prefix.Length..end];
    }

    /// <summary>The wire name of an enum member, e.g. Role.PlatformAdmin -> "PLATFORM_ADMIN"; also its database text.</summary>
    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum => EnumNames<TEnum>.ToName[value];

    public static IReadOnlyCollection<string> Names<TEnum>() where TEnum : struct, Enum => EnumNames<TEnum>.ToName.Values;

    public static bool TryParse<TEnum>(string? name, out TEnum value) where TEnum : struct, Enum
    {
        value = default;
        return name is not null && EnumNames<TEnum>.FromName.TryGetValue(name, out value);
    }

    public static IReadOnlyCollection<string> Names(Type enumType) =>
        Enum.GetNames(enumType).Select(JsonNamingPolicy.SnakeCaseUpper.ConvertName).ToList();

    public static TEnum Parse<TEnum>(string name) where TEnum : struct, Enum =>
        EnumNames<TEnum>.FromName.TryGetValue(name, out var v)
            ? v
            : throw new InvalidOperationException($"'{name}' is not a {typeof(TEnum).Name}");

    private static class EnumNames<TEnum> where TEnum : struct, Enum
    {
        public static readonly Dictionary<TEnum, string> ToName =
            Enum.GetValues<TEnum>().ToDictionary(v => v, v => JsonNamingPolicy.SnakeCaseUpper.ConvertName(v.ToString()));
        public static readonly Dictionary<string, TEnum> FromName = ToName.ToDictionary(kv => kv.Value, kv => kv.Key);
    }
}
