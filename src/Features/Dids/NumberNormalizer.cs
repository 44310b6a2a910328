using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Did.Infrastructure.Validation;
using PhoneNumbers;

namespace Did.Features.Dids;

/// <summary>A number as stored: E.164, its country (ISO 3166 region, or 001 for a non-geographic service such as +800)
/// and its type.</summary>
internal readonly record struct NormalizedNumber(string E164, string Country, NumberType Type);

/// <summary>Any written form of a number in ("+1 (212) 555-0100", "2125550100" with region US, "00 44 20 7946 0000"
/// with region DE), E.164 out, with the country and type libphonenumber assigns, or the reason it refuses it.
/// <para>Parsing is libphonenumber's own <c>Parse</c>. Validity, region and type are libphonenumber's rules
/// (<c>GetRegionCodeForNumber</c>, <c>IsValidNumberForRegion</c>, <c>GetNumberType</c>) run over libphonenumber's own
/// metadata with its patterns compiled once per region: the library interprets them on every call, which made it most
/// of an import's cost. A property test (NumberNormalizerTests) holds the two to the same answer for random numbers of
/// every calling code.</para>
/// <para>Refused beyond libphonenumber: letters (libphonenumber reads them as keypad digits, so "+1 212 555 O100" with a
/// letter O would become a valid number), extensions (a DID has none), and any character a written number does not
/// hold (<see cref="IsWritten"/>).</para></summary>
internal static class NumberNormalizer
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();
    private static readonly ConcurrentDictionary<int, RegionRules[]> ByCallingCode = new();

    /// <summary>The regions libphonenumber has metadata for (ISO 3166-1 alpha-2, upper case).</summary>
    public static readonly IReadOnlySet<string> Regions = new HashSet<string>(Util.GetSupportedRegions(), StringComparer.Ordinal);

    /// <summary>A region as a client may write it ("us" or "US"), upper-cased, or null when libphonenumber does not know it.</summary>
    public static string? Region(string? region) =>
        region is { Length: 2 } && Regions.Contains(region.ToUpperInvariant()) ? region.ToUpperInvariant() : null;

    /// <param name="defaultRegion">How to read a national form (no '+'); null: only international forms are accepted.</param>
    /// <param name="reason">libphonenumber's reason (NOT_A_NUMBER, INVALID_COUNTRY_CODE, TOO_SHORT, TOO_LONG,
    /// INVALID_LENGTH, IS_POSSIBLE_LOCAL_ONLY, TOO_SHORT_NSN, TOO_SHORT_AFTER_IDD), INVALID_FOR_REGION when the number has a
    /// possible length but no region's numbering plan has it, HAS_EXTENSION, or TOO_LONG for a number its plan allows but
    /// that has more than E.164's 15 digits.</param>
    public static bool TryNormalize(string input, string? defaultRegion, out NormalizedNumber number, out string reason)
    {
        number = default;
        for (var i = 0; i < input.Length; i++)
            if (!IsWritten(input[i]))
            {
                reason = IsExtensionAfter(input, i, defaultRegion) ? "HAS_EXTENSION" : "NOT_A_NUMBER";
                return false;
            }

        PhoneNumber parsed;
        try
        {
            parsed = Util.Parse(input, defaultRegion);
        }
        catch (NumberParseException e)
        {
            reason = e.ErrorType.ToString();
            return false;
        }
        if (parsed.HasExtension)
        {
            reason = "HAS_EXTENSION";
            return false;
        }

        var nsn = Util.GetNationalSignificantNumber(parsed);
        var (region, type) = Classify(parsed.CountryCode, nsn);
        var e164 = $"+{parsed.CountryCode}{nsn}";
        if (region is null)
        {
            var possible = Util.IsPossibleNumberWithReason(parsed);
            reason = possible == PhoneNumberUtil.ValidationResult.IS_POSSIBLE ? "INVALID_FOR_REGION" : possible.ToString();
            return false;
        }
        // Some plans have numbers longer than the 15 digits E.164 allows (Nigeria's UAN numbers): stored numbers are E.164.
        if (!DidRules.IsE164(e164))
        {
            reason = "TOO_LONG";
            return false;
        }
        number = new NormalizedNumber(e164, region, type);
        reason = "";
        return true;
    }

    /// <summary>Whether <paramref name="c"/> may be part of a written number: a digit, '+', white space, a dash, '.', '/' or
    /// a parenthesis. libphonenumber drops what it cannot read before and after the number ("*** +1 212
    /// 555 0100 !" is its +12125550100), so anything else would be stored as a number the client did not write.</summary>
    private static bool IsWritten(char c) =>
        char.IsDigit(c) || char.IsWhiteSpace(c) || c is '+' or '\uFF0B' or '.' or '/' or '(' or ')'
        || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.DashPunctuation;

    /// <summary>Whether the text from <paramref name="stray"/>, the first character a written number does not hold, on
    /// only marks an extension ("ext. 12", "x12", ";ext=12", "#12"): libphonenumber reads an extension in the whole input,
    /// and the text before that character is on its own the same number. Then the client is told of the extension, not of letters its number does not have.</summary>
    private static bool IsExtensionAfter(string input, int stray, string? defaultRegion)
    {
        try
        {
            var whole = Util.Parse(input, defaultRegion);
            var before = Util.Parse(input[..stray], defaultRegion);
            return whole.HasExtension && !before.HasExtension && whole.CountryCode == before.CountryCode
                   && Util.GetNationalSignificantNumber(whole) == Util.GetNationalSignificantNumber(before);
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>The sentence an error list carries: the reason, the form given (echoed safely), and what to do when the
    /// form was national and no region said how to read it.</summary>
    public static string Describe(string input, string reason, string? defaultRegion)
    {
        var hint = reason == "INVALID_COUNTRY_CODE" && defaultRegion is null && !input.TrimStart().StartsWith('+')
            ? " (a national form needs default_region, or write it as +<country code><number>)"
            : "";
        return $"Not a valid number ({reason}): '{EchoedValue.Of(input)}'{hint}";
    }

    /// <summary>libphonenumber's GetRegionCodeForNumber and GetNumberType for a national significant number: the region
    /// whose plan has the number, or null when none has.</summary>
    internal static (string? Region, NumberType Type) Classify(int callingCode, string nsn)
    {
        var regions = ByCallingCode.GetOrAdd(callingCode, static cc =>
            Util.GetRegionCodesForCountryCode(cc).Select(region => new RegionRules(cc, region)).ToArray());
        RegionRules? found = null;
        if (regions.Length == 1) found = regions[0];
        else
            foreach (var r in regions)
                if (r.LeadingDigits is { } leading ? leading.IsMatch(nsn) : r.TypeOf(nsn) is not null)
                {
                    found = r;
                    break;
                }
        return found?.TypeOf(nsn) is { } type ? (found.Region, type) : (null, default);
    }

    /// <summary>One region's numbering plan from libphonenumber's metadata, its patterns compiled on first use.</summary>
    private sealed class RegionRules
    {
        private readonly Lazy<Plan?> _plan;

        public RegionRules(int callingCode, string region)
        {
            Region = region;
            var metadata = region == "001"
                ? Util.GetMetadataForNonGeographicalRegion(callingCode)
                : Util.GetMetadataForRegion(region);
            LeadingDigits = metadata?.HasLeadingDigits == true
                ? new Regex("^(?:" + metadata.LeadingDigits + ")", RegexOptions.Compiled | RegexOptions.CultureInvariant)
                : null;
            _plan = new Lazy<Plan?>(() => metadata is null ? null : new Plan(metadata));
        }

        public string Region { get; }
        public Regex? LeadingDigits { get; }

        /// <summary>libphonenumber's getNumberTypeHelper, in its order; null where it says UNKNOWN.</summary>
        public NumberType? TypeOf(string nsn)
        {
            if (_plan.Value is not { } p || !Matches(p.General, nsn)) return null;
            if (Matches(p.PremiumRate, nsn)) return NumberType.PremiumRate;
            if (Matches(p.TollFree, nsn)) return NumberType.TollFree;
            if (Matches(p.SharedCost, nsn)) return NumberType.SharedCost;
            if (Matches(p.Voip, nsn)) return NumberType.Voip;
            if (Matches(p.PersonalNumber, nsn)) return NumberType.PersonalNumber;
            if (Matches(p.Pager, nsn)) return NumberType.Pager;
            if (Matches(p.Uan, nsn)) return NumberType.Uan;
            if (Matches(p.Voicemail, nsn)) return NumberType.Voicemail;
            if (Matches(p.FixedLine, nsn))
                return p.SameMobileAndFixedLine || Matches(p.Mobile, nsn) ? NumberType.FixedLineOrMobile : NumberType.FixedLine;
            if (!p.SameMobileAndFixedLine && Matches(p.Mobile, nsn)) return NumberType.Mobile;
            return null;
        }

        /// <summary>libphonenumber's isNumberMatchingDesc: a possible length of the type, then its whole pattern.</summary>
        private static bool Matches(Desc? d, string nsn) =>
            d is not null && (d.Lengths.Length == 0 || Array.IndexOf(d.Lengths, nsn.Length) >= 0) && d.Pattern.IsMatch(nsn);
    }

    private sealed record Desc(int[] Lengths, Regex Pattern)
    {
        public static Desc? Of(PhoneNumberDesc? d) =>
            d is null || !d.HasNationalNumberPattern || d.NationalNumberPattern.Length == 0
                ? null
                : new Desc(d.PossibleLengthList.ToArray(),
                    new Regex("^(?:" + d.NationalNumberPattern + @")\z", RegexOptions.Compiled | RegexOptions.CultureInvariant));
    }

    private sealed class Plan(PhoneMetadata m)
    {
        public Desc? General { get; } = Desc.Of(m.GeneralDesc);
        public Desc? PremiumRate { get; } = Desc.Of(m.PremiumRate);
        public Desc? TollFree { get; } = Desc.Of(m.TollFree);
        public Desc? SharedCost { get; } = Desc.Of(m.SharedCost);
        public Desc? Voip { get; } = Desc.Of(m.Voip);
        public Desc? PersonalNumber { get; } = Desc.Of(m.PersonalNumber);
        public Desc? Pager { get; } = Desc.Of(m.Pager);
        public Desc? Uan { get; } = Desc.Of(m.Uan);
        public Desc? Voicemail { get; } = Desc.Of(m.Voicemail);
        public Desc? FixedLine { get; } = Desc.Of(m.FixedLine);
        public Desc? Mobile { get; } = Desc.Of(m.Mobile);
        public bool SameMobileAndFixedLine { get; } = m.SameMobileAndFixedLinePattern;
    }
}
