using Did.Dialplan;

namespace Did.Infrastructure.Routing;

public static class RoutingSetup
{
    /// <summary>The EXTERNAL allow-list: the safe defaults, widened only by the platform's configuration
    /// (<c>Dialplan:ExternalApplications:0=Dial</c>), never by a tenant.</summary>
    public static IServiceCollection AddDidRouting(this IServiceCollection services, IConfiguration config)
    {
        var extra = config.GetSection("Dialplan:ExternalApplications").Get<string[]>() ?? [];
        services.AddSingleton(ExternalActionPolicy.Default.Widen(extra));
        return services;
    }
}
