using Did.Infrastructure.Hosting;

namespace Did.Features.Dids;

/// <summary>How the service reads numbers written without '+': <c>Dids:DefaultRegion</c> (ISO 3166, e.g. US), used
/// when a request names no region of its own; unset, only international forms are accepted.</summary>
public sealed class NumberSettings
{
    public NumberSettings(IConfiguration config)
    {
        var region = config["Dids:DefaultRegion"];
        if (string.IsNullOrWhiteSpace(region)) return;
        DefaultRegion = NumberNormalizer.Region(region.Trim())
            ?? throw new InvalidSettingException(
                $"Dids__DefaultRegion is '{DidRules.Echo(region)}', which is not a region libphonenumber knows: set an ISO 3166 code such as US, GB or DE, or leave it unset.");
    }

    public string? DefaultRegion { get; }

    /// <summary>The region a request gave (already checked), else the configured one, else none.</summary>
    public string? RegionFor(string? requested) => NumberNormalizer.Region(requested) ?? DefaultRegion;
}

public static class NumberSetup
{
    /// <summary>Reads and checks the number settings now, so a wrong region stops the start-up with one line.</summary>
    public static IServiceCollection AddDidNumbers(this IServiceCollection services, IConfiguration config) =>
        services.AddSingleton(new NumberSettings(config));
}
