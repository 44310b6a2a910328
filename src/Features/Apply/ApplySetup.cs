using Did.Dialplan;
using Did.Infrastructure.Auth;

namespace Did.Features.Apply;

public static class ApplySetup
{
    /// <summary>Dialplan settings from <c>Dialplan:*</c> (FallbackAction, EndpointTechnology, EndpointFormat, RingSeconds,
    /// VoicemailOnNoAnswer), apply options from <c>Apply:*</c>, nodes from <c>Asterisk:*</c>.</summary>
    public static IServiceCollection AddDidApply(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<ApplyOptions>(config.GetSection("Apply"));
        services.AddSingleton<AsteriskNodes>();
        services.AddSingleton(sp =>
        {
            var settings = new DialplanSettings();
            config.GetSection("Dialplan").Bind(settings, o => o.ErrorOnUnknownConfiguration = false);
            return settings with { ExternalActions = sp.GetRequiredService<ExternalActionPolicy>() };
        });
        services.AddScoped<ApplyRunner>();
        services.AddHostedService<ApplyWarmUp>();
        return services;
    }

    /// <summary>A job left RUNNING by a crashed process is recovered (files restored from its backups) and marked
    /// FAILED before the service takes requests.</summary>
    public static async Task RecoverApplyJobsAsync(this IServiceProvider services)
    {
        if (services.GetRequiredService<IConfiguration>().GetSection("Asterisk")["ConfigDir"] is null
            && !services.GetRequiredService<IConfiguration>().GetSection("Asterisk:Nodes").GetChildren().Any())
            return;
        using var scope = services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<ApplyRunner>().RecoverAtStartAsync(scope.ServiceProvider.GetRequiredService<RequestContext>(), default);
    }
}
