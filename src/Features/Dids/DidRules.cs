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

    public static string HeldBy(string number, string status, string? tenantName) => status switch
    {
        "ASSIGNED" => $"DID {number} is assigned in tenant '{tenantName}'",
        "ALLOCATED" => $"DID {number} is already allocated to tenant '{tenantName}'",
        _ => $"DID {number} is not allocated",
    };
}
