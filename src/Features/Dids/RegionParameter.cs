using Did.Infrastructure.Validation;
using FluentValidation;

namespace Did.Features.Dids;

/// <summary>The <c>default_region</c> every operation that takes a number accepts (the import's query, the bulk bodies,
/// the list and export filters, the simulator): checked with <see cref="NumberNormalizer.Region"/> and refused in the same
/// words everywhere. The region a number is then read with is <see cref="NumberSettings.RegionFor"/>: this one, else
/// <c>Dids:DefaultRegion</c>, else none (only '+' forms).</summary>
internal static class RegionParameter
{
    public const string Name = "default_region";

    public const string Description =
        "ISO 3166 region (US, GB, DE...) that reads a whole number written without '+'; default Dids__DefaultRegion, else only '+' forms.";

    /// <summary>Sent and not a region libphonenumber knows.</summary>
    public static bool IsUnknown(string? region) => region is not null && NumberNormalizer.Region(region) is null;

    /// <summary>The refusal of an unknown region, naming the value sent (echoed safely).</summary>
    public static string Refusal(string? sent) =>
        $"'default_region' must be an ISO 3166 region libphonenumber knows, such as US, GB or DE (you sent '{EchoedValue.Of(sent)}').";

    public static IRuleBuilderOptions<T, string?> KnownRegion<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(r => !IsUnknown(r)).WithMessage((_, r) => Refusal(r));
}
