using System.Globalization;
using Carter;
using Did.Features.Apply;
using Did.Features.Auth;
using Did.Features.Dids;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Bootstrap;
using Did.Infrastructure.Data;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Hosting;
using Did.Infrastructure.Http;
using Did.Infrastructure.Json;
using Did.Infrastructure.Logging;
using Did.Infrastructure.Observability;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.RateLimiting;
using Did.Infrastructure.Routing;
using Did.Infrastructure.Validation;
using Mediator;
using Scalar.AspNetCore;

// Numbers, dates and case are formatted the same whatever the host's locale (LANG): the service speaks JSON, CSV and
// dialplan text, never a person's language. ICU is loaded for Unicode normalisation (Did.csproj), not for cultures.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;

// No configuration file is reloaded on change (the service reads its settings at start-up, from the environment), so
// the host watches nothing: its watcher covers the whole content root recursively, and the current folder may hold a
// PostgreSQL data folder (run.sh, the benches) whose every WAL write it would otherwise handle.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. args, "--hostBuilder:reloadConfigOnChange=false"] });
builder.ReportStartupFailuresAsOneLine();
builder.AddDidLogging();

// `dotnet run -- migrate`: apply the migrations and exit, without needing the rest of the configuration.
if (args.Contains("migrate"))
{
    using var loggers = LoggerFactory.Create(l => l.AddConsole());
    await SchemaMigrator.MigrateAsync(DatabaseSetup.ConnectionString(builder.Configuration), loggers.CreateLogger("migrate"));
    return;
}

if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
builder.WebHost.ConfigureKestrel(k =>
    k.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long?>("Http:MaxRequestBodyBytes") ?? 1_048_576);

builder.AddDidObservability(); // after the listen addresses: metrics default on only for loopback-bound hosts
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddHostedService<PhoneNumberCountsFolder>();
builder.Services.AddDidNumbers(builder.Configuration);
builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // bad bodies reach the problem mapper
builder.Services.AddDidProblems();
builder.Services.AddDidDatabase(builder.Configuration);
builder.Services.AddDidAuth(builder.Configuration);
builder.Services.AddDidSignIn(builder.Configuration);
builder.Services.AddDidRateLimits(builder.Configuration);
builder.Services.AddDidRouting(builder.Configuration);
builder.Services.AddDidApply(builder.Configuration);
builder.Services.AddDidValidation();
builder.Services.AddDidOpenApi();
builder.Services.AddCarter(configurator: c => c.WithEmptyValidators());
builder.Services.AddMediator((MediatorOptions o) =>
{
    o.ServiceLifetime = ServiceLifetime.Scoped;
    o.PipelineBehaviors = [typeof(ValidationBehavior<,>), typeof(TransientRetryBehavior<,>)];
});

var app = builder.Build();

await SchemaMigrator.MigrateAsync(DatabaseSetup.ConnectionString(app.Configuration), app.Logger);
await FirstAdmin.EnsureAsync(app.Services);
await app.Services.RecoverApplyJobsAsync();

app.UseDidTraceRequestId();
app.UseMiddleware<RequestLog>();
app.UseMiddleware<SecurityHeaders>();
app.UseDidSignIn();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseDidRateLimits();
app.UseAuthorization();
app.UseMiddleware<RequestSizeGuard>();
app.UseMiddleware<UnreadBodyGuard>();
app.UseMiddleware<QueryParameterGuard>();

app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
app.MapScalarApiReference("/scalar").AllowAnonymous();
app.MapCarter();
app.MapDidMetrics();

// Awaited, not app.Run(): Main has awaited before this point, so it runs on a thread-pool thread, and a blocking Run()
// would hold that thread for the life of the process.
await app.RunAsync();

public partial class Program;
