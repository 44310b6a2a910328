using Carter;
using Dapper;
using Did.Dialplan;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Did.Features.Ivrs;

/// <summary>Body of POST /api/v1/ivrs. Timeout and invalid-key destinations default to HANGUP.
/// tenant_id is required for a platform admin and optional (own tenant) for a tenant admin.</summary>
public sealed record CreateIvrRequest(
    string Name, string Greeting, int TimeoutSeconds,
    IReadOnlyDictionary<string, IvrDestination>? Options = null,
    IvrDestination? TimeoutDestination = null, IvrDestination? InvalidDestination = null,
    Guid? TenantId = null) : ICommand<IvrResponse>;

public static class CreateIvr
{
    public sealed class Validator : AbstractValidator<CreateIvrRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Name).NotEmpty().IvrName();
            RuleFor(r => r.Greeting).NotEmpty().Greeting();
            RuleFor(r => r.TimeoutSeconds).InclusiveBetween(1, 60);
            this.ValidateOptions(r => r.Options);
            RuleFor(r => r.TimeoutDestination!).SetValidator(new IvrRules.DestinationValidator()).When(r => r.TimeoutDestination is not null);
            RuleFor(r => r.InvalidDestination!).SetValidator(new IvrRules.DestinationValidator()).When(r => r.InvalidDestination is not null);
        }
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<CreateIvrRequest, IvrResponse>
    {
        public async ValueTask<IvrResponse> Handle(CreateIvrRequest r, CancellationToken ct)
        {
            var tenantId = ctx.ResolveTenant(r.TenantId);
            var options = r.Options ?? new Dictionary<string, IvrDestination>();
            var timeout = r.TimeoutDestination ?? new IvrDestination(DestinationType.Hangup);
            var invalid = r.InvalidDestination ?? new IvrDestination(DestinationType.Hangup);
            var id = Guid.CreateVersion7();

            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            await TenantExistence.EnsureExistsAsync(conn, tx, tenantId, ct);
            await Infrastructure.Routing.RouteTargets.EnsureInTenantAsync(conn, tx, tenantId, IvrStore.Targets(options, timeout, invalid), ct);
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO ivrs (id, tenant_id, name, greeting, timeout_seconds) VALUES (@id, @tenantId, @Name, @Greeting, @TimeoutSeconds)
                """, new { id, tenantId, r.Name, r.Greeting, r.TimeoutSeconds }, tx, cancellationToken: ct))
                .NamingDuplicates(IvrStore.DuplicateName(r.Name));
            await IvrStore.ReplaceKeysAsync(conn, tx, id, tenantId, options, timeout, invalid, ct);
            var ivr = (await IvrStore.ReadAsync(conn, tx, "WHERE id = @id", new { id }, ct))[0];
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Create, AuditEntity.Ivr, id, tenantId, null, ivr, ct);
            await tx.CommitAsync(ct);
            return ivr;
        }
    }
}

public sealed class CreateIvrModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/ivrs", "IVRs")
            .MapPost("/", async (CreateIvrRequest body, IMediator mediator, CancellationToken ct) =>
            {
                var ivr = await mediator.Send(body, ct);
                return TypedResults.Created($"/api/v1/ivrs/{ivr.Id}", ivr);
            })
            .RequireAuthorization(Policies.TenantManager)
            .WithName("CreateIvr")
            .WithSummary("Create an IVR menu: a greeting, then one destination per key (0-9, *, #), on timeout and on an invalid key.")
            .Produces<IvrResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
}
