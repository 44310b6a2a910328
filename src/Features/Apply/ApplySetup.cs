using Did.Dialplan;
using Did.Infrastructure.Auth;
using Microsoft.Extensions.Options;

namespace Did.Features.Apply;

public static class ApplySetup
{
    /// <summary>Dialplan settings from <c>Dialplan:*</c> (FallbackAction, EndpointTechnology, EndpointFormat, RingSeconds,
    /// VoicemailOnNoAnswer), apply options from <c>Apply:*</c>, nodes from <c>Asterisk:*</c>.</summary>
    public static IServiceCollection AddDidApply(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ApplyOptions>().Bind(config.GetSection("Apply"))
            .Validate(o => o.BackupsToKeep >= 1,
                "Apply:BackupsToKeep must be at least 1: an apply's rollback restores the backup it has just made (env Apply__BackupsToKeep).")
            .Validate(o => o.LockWaitSeconds >= 0, "Apply:LockWaitSeconds must not be negative (env Apply__LockWaitSeconds).")
            .Validate(o => o.VerifyConnections >= 1, "Apply:VerifyConnections must be at least 1 (env Apply__VerifyConnections).")
            .Validate(o => o.LiveDeltaMaxChanges >= 0, "Apply:LiveDeltaMaxChanges must not be negative (env Apply__LiveDeltaMaxChanges).")
            .Validate(o => o.VerifyAllUpToPriorities >= 0, "Apply:VerifyAllUpToPriorities must not be negative (env Apply__VerifyAllUpToPriorities).")
            .Validate(o => o.TenantMinIntervalSeconds >= 0, "Apply:TenantMinIntervalSeconds must not be negative (env Apply__TenantMinIntervalSeconds).")
            .Validate(o => o.DriftCheckMinutes >= 0, "Apply:DriftCheckMinutes must not be negative; 0 turns the schedule off (env Apply__DriftCheckMinutes).")
            .Validate(o => o.RenderConcurrency >= 1, "Apply:RenderConcurrency must be at least 1 (env Apply__RenderConcurrency).")
            .Validate(o => o.RenderQueueLimit >= 0, "Apply:RenderQueueLimit must not be negative (env Apply__RenderQueueLimit).")
            .Validate(o => o.RenderWaitMilliseconds >= 0, "Apply:RenderWaitMilliseconds must not be negative (env Apply__RenderWaitMilliseconds).")
            .ValidateOnStart();
        services.AddSingleton<AsteriskNodes>();
        services.AddSingleton<ApplyWorkFolder>();
        services.AddSingleton<RenderSlots>();
        services.AddSingleton<LintedSections>(); // what the last apply's lint saw; applies run one at a time
        services.AddSingleton<LastRender>();
        services.AddSingleton<SnapshotMemory>(); // the last snapshot read, to read again only the tenants that changed
        services.AddSingleton<ApplyLockSession>();
        services.AddSingleton(sp =>
        {
            var settings = new DialplanSettings();
            config.GetSection("Dialplan").Bind(settings, o => o.ErrorOnUnknownConfiguration = false);
            return settings with { ExternalActions = sp.GetRequiredService<ExternalActionPolicy>() };
        });
        services.AddScoped<ApplyRunner>();
        services.AddSingleton<ApplyQueue>();
        services.AddScoped<Drift.DriftCheckRunner>();
        services.AddHostedService<Drift.DriftCheckSchedule>();
        services.AddSingleton<Infrastructure.Observability.IScrapeGauge, Drift.DriftGauge>();
        services.AddHostedService<ApplyWarmUp>();
        return services;
    }

    /// <summary>Before the service takes requests: refuses an Apply configuration that could lose or expose files
    /// (<c>Apply:BackupsToKeep</c> below 1, a backup folder that is a config folder, a work folder another user owns or
    /// may write to), then recovers any job a stopped process left RUNNING (its files restored from its backups) and
    /// marks it FAILED. Each refusal is one line that says what to set.</summary>
    public static async Task RecoverApplyJobsAsync(this IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<ApplyOptions>>().Value;
        var config = services.GetRequiredService<IConfiguration>();
        if (config.GetSection("Asterisk")["ConfigDir"] is null && !config.GetSection("Asterisk:Nodes").GetChildren().Any())
            return;
        _ = services.GetRequiredService<AsteriskNodes>().All;
        ApplyWorkFolder.CheckConfigured(options.WorkDir);
        using var scope = services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<ApplyRunner>().RecoverAtStartAsync(scope.ServiceProvider.GetRequiredService<RequestContext>(), default);
    }
}
