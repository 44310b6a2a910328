namespace Did.Features.Dids;

/// <summary>Rules every DID slice shares: the E.164 shape (the same as the ck_phone_numbers_e164 CHECK) and the sentences
/// of the conflicts, so a single and a bulk operation explain a refusal in the same words.</summary>
internal static class DidRules
{
    public const string E164Pattern = @"^\+[1-9][0-9]{1,14}$";

    /// <summary>^\+[1-9][0-9]{1,14}$ without a regex: it runs once per imported row.</summary>
    public static bool IsE164(ReadOnlySpan<char> s)
    {
        if (s.Length is < 3 or > 16 || s[0] != '+' || s[1] is < '1' or > '9') return false;
        foreach (var c in s[2..])
            if (c is < '0' or > '9') return false;
        return true;
    }

    /// <summary>A value a client sent, safe to echo in an error: at most 40 characters, control characters shown as '?'.</summary>
    public static string Echo(ReadOnlySpan<char> value)
    {
        var cut = value.Length > 40 ? value[..40] : value;
        var chars = new char[cut.Length];
        for (var i = 0; i < cut.Length; i++) chars[i] = char.IsControl(cut[i]) || cut[i] == '\uFFFD' ? '?' : cut[i];
        return new string(chars) + (value.Length > 40 ? "..." : "");
    }

    public static string HeldBy(string number, string status, string? tenantName) => status switch
    {
        "ASSIGNED" => $"DID {number} is assigned in tenant '{tenantName}'",
        "ALLOCATED" => $"DID {number} is already allocated to tenant '{tenantName}'",
        _ => $"DID {number} is not allocated",
    };
}
