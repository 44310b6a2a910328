using Did.Infrastructure.Hosting;
using Did.Infrastructure.Validation;

namespace Did.Features.Dids;

/// <summary>How the service reads numbers written without '+': <c>Dids:DefaultRegion</c> (ISO 3166, e.g. US), used
/// when a request names no region of its own; unset, only international forms are accepted. How long a number taken back
/// from a tenant rests before anyone else may have it: <c>Dids:QuarantineDays</c> (default 30, 0 to 3650; 0 sends it
/// straight back to UNASSIGNED, without quarantine).</summary>
public sealed class NumberSettings
{
    public const int MaxQuarantineDays = 3650;

    public NumberSettings(IConfiguration config)
    {
        var days = config["Dids:QuarantineDays"];
        if (!string.IsNullOrWhiteSpace(days))
        {
            if (!int.TryParse(days.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var d)
                || d > MaxQuarantineDays)
                throw new InvalidSettingException(
                    $"Dids__QuarantineDays is '{EchoedValue.Of(days)}': set a whole number of days from 0 (no quarantine) to {MaxQuarantineDays}, or leave it unset (30).");
            QuarantineDays = d;
        }

        var region = config["Dids:DefaultRegion"];
        if (string.IsNullOrWhiteSpace(region)) return;
        DefaultRegion = NumberNormalizer.Region(region.Trim())
            ?? throw new InvalidSettingException(
                $"Dids__DefaultRegion is '{EchoedValue.Of(region)}', which is not a region libphonenumber knows: set an ISO 3166 code such as US, GB or DE, or leave it unset.");
    }

    public string? DefaultRegion { get; }

    /// <summary>Days a deallocated number stays QUARANTINED; 0: none.</summary>
    public int QuarantineDays { get; } = 30;

    /// <summary>The region a request gave (already checked), else the configured one, else none.</summary>
    public string? RegionFor(string? requested) => NumberNormalizer.Region(requested) ?? DefaultRegion;
}

public static class NumberSetup
{
    /// <summary>Reads and checks the number settings now, so a wrong region or quarantine stops the start-up with one line;
    /// starts the quarantine sweep.</summary>
    public static IServiceCollection AddDidNumbers(this IServiceCollection services, IConfiguration config) =>
        services.AddSingleton(new NumberSettings(config)).AddHostedService<QuarantineSweep>();
}
