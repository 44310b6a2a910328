using CsCheck;
using Did.Features.Dids;
using Did.Infrastructure.Json;
using NUnit.Framework;
using PhoneNumbers;

namespace Did.Tests.Dids;

/// <summary>The normalizer against libphonenumber itself: the same validity, region and type for random numbers of every
/// calling code, and the written forms and reasons a client sees.</summary>
public sealed class NumberNormalizerTests
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    private static readonly int[] CallingCodes = Util.GetSupportedRegions().Select(r => Util.GetCountryCodeForRegion(r))
        .Concat(Util.GetSupportedGlobalNetworkCallingCodes()).Distinct().Order().ToArray();

    [Test]
    public void Classifies_random_numbers_of_every_calling_code_as_libphonenumber_does()
    {
        Gen.Select(Gen.OneOf(CallingCodes), Gen.Char['0', '9'].Array[4, 13]).Sample((cc, digits) =>
        {
            var written = $"+{cc}{new string(digits)}";
            PhoneNumber parsed;
            try { parsed = Util.Parse(written, null); }
            catch (NumberParseException) { return !NumberNormalizer.TryNormalize(written, null, out _, out _); }
            var region = Util.GetRegionCodeForNumber(parsed);
            var valid = region is not null && Util.IsValidNumber(parsed);
            var ok = NumberNormalizer.TryNormalize(written, null, out var mine, out var reason);
            if (!valid) return !ok;
            // A few plans have valid numbers longer than E.164 allows; the inventory stores E.164 only.
            if (Util.Format(parsed, PhoneNumberFormat.E164).Length > 16) return !ok && reason == "TOO_LONG";
            return ok && mine.Country == region && ApiJson.Name(mine.Type) == Util.GetNumberType(parsed).ToString()
                   && mine.E164 == Util.Format(parsed, PhoneNumberFormat.E164);
        }, iter: 50_000);
    }

    [TestCase("+1 (212) 555-0100", null, "+12125550100", "US", NumberType.FixedLineOrMobile)]
    [TestCase("2125550100", "US", "+12125550100", "US", NumberType.FixedLineOrMobile)]
    [TestCase("(212) 555-0100 ", "US", "+12125550100", "US", NumberType.FixedLineOrMobile)]
    [TestCase("011 44 20 7946 0000", "US", "+442079460000", "GB", NumberType.FixedLine)]
    [TestCase("00 44 20 7946 0000", "DE", "+442079460000", "GB", NumberType.FixedLine)]
    [TestCase("030 123456", "DE", "+4930123456", "DE", NumberType.FixedLine)]
    [TestCase("+1 800 555 0100", null, "+18005550100", "US", NumberType.TollFree)]
    [TestCase("+800 1234 5678", null, "+80012345678", "001", NumberType.TollFree)]
    [TestCase("+1 416 555 0123", null, "+14165550123", "CA", NumberType.FixedLineOrMobile)]
    [TestCase("+1\u00A0212\u2011555\u20110100\t", null, "+12125550100", "US", NumberType.FixedLineOrMobile)]
    [TestCase("+1 212.555.0100", null, "+12125550100", "US", NumberType.FixedLineOrMobile)]
    [TestCase("+1 212/555 0100", null, "+12125550100", "US", NumberType.FixedLineOrMobile)]
    public void Reads_national_and_international_forms_into_E164(string written, string? region, string e164, string country, NumberType type)
    {
        Assert.That(NumberNormalizer.TryNormalize(written, region, out var n, out var reason), Is.True, reason);
        Assert.That(n, Is.EqualTo(new NormalizedNumber(e164, country, type)));
    }

    [TestCase("5551239999", null, "INVALID_COUNTRY_CODE")]
    [TestCase("5551239999", "US", "INVALID_FOR_REGION")]
    [TestCase("+1 555 123 9999", null, "INVALID_FOR_REGION")]
    [TestCase("+1 212 555", null, "TOO_SHORT")]
    [TestCase("+1 212 555 0100 1234", null, "TOO_LONG")]
    [TestCase("+999 123456", null, "INVALID_COUNTRY_CODE")]
    [TestCase("hello", null, "NOT_A_NUMBER")]
    [TestCase("+1 212 555 O100", null, "NOT_A_NUMBER")]
    [TestCase("+1 800 FLOWERS", null, "NOT_A_NUMBER")]
    [TestCase("", "US", "NOT_A_NUMBER")]
    [TestCase("+234 700 5929 526714", null, "TOO_LONG")]
    [TestCase("(212) 555-0100 ext. 12", "US", "HAS_EXTENSION")]
    [TestCase("+1 212 555 0100 x12", null, "HAS_EXTENSION")]
    [TestCase("+12125550100;ext=12", null, "HAS_EXTENSION")]
    [TestCase("+1 212 555 0100 #12", null, "HAS_EXTENSION")]
    [TestCase("+1 800 FLOWERS x12", null, "NOT_A_NUMBER")]
    [TestCase("+1 212 555 O100 x12", null, "NOT_A_NUMBER")]
    [TestCase("+1 212 555 0110 *", null, "NOT_A_NUMBER")]
    [TestCase("*** +1 212 555 0110", null, "NOT_A_NUMBER")]
    [TestCase("+1 212 555 0110!", null, "NOT_A_NUMBER")]
    [TestCase("+1 212 555 0110 ~", null, "NOT_A_NUMBER")]
    [TestCase("+1 [212] 555 0110", null, "NOT_A_NUMBER")]
    [TestCase("+1 212 555 0110\u0000", null, "NOT_A_NUMBER")]
    [TestCase("+1 212 555 0110, +1 212 555 0111", null, "NOT_A_NUMBER")]
    public void Refuses_with_libphonenumbers_reason(string written, string? region, string expected)
    {
        Assert.That(NumberNormalizer.TryNormalize(written, region, out _, out var reason), Is.False);
        Assert.That(reason, Is.EqualTo(expected));
    }

    [Test]
    public void A_refusal_echoes_the_form_given_safely_and_says_what_to_do_without_a_region()
    {
        Assert.That(NumberNormalizer.Describe("555\n1239999", "INVALID_COUNTRY_CODE", null),
            Is.EqualTo("Not a valid number (INVALID_COUNTRY_CODE): '555?1239999' (a national form needs default_region, or write it as +<country code><number>)"));
        Assert.That(NumberNormalizer.Describe("+1 555 123 9999", "INVALID_FOR_REGION", "US"),
            Is.EqualTo("Not a valid number (INVALID_FOR_REGION): '+1 555 123 9999'"));
    }

    [TestCase("us", "US")]
    [TestCase("GB", "GB")]
    [TestCase("XX", null)]
    [TestCase("USA", null)]
    [TestCase(null, null)]
    public void Regions_are_the_ones_libphonenumber_knows_in_either_case(string? given, string? expected) =>
        Assert.That(NumberNormalizer.Region(given), Is.EqualTo(expected));
}
