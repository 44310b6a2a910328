using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Did.Features.Ivrs;

/// <summary>Body of PATCH /api/v1/ivrs/{id}: absent fields stay; <c>options</c>, when sent, replaces the whole key map.</summary>
public sealed record UpdateIvrRequest(
    string? Name = null, string? Greeting = null, int? TimeoutSeconds = null,
    IReadOnlyDictionary<string, IvrDestination>? Options = null,
    IvrDestination? TimeoutDestination = null, IvrDestination? InvalidDestination = null) : ICommand<IvrResponse>
{
    /// <summary>From the route; internal, so a body naming "id" is refused
    /// (docs/decisions.md, "A value is read as sent, or refused").</summary>
    internal Guid Id { get; init; }
}

public static class UpdateIvr
{
    public sealed class Validator : AbstractValidator<UpdateIvrRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Name).IvrName().When(r => r.Name is not null);
            RuleFor(r => r.Greeting).Greeting().When(r => r.Greeting is not null);
            RuleFor(r => r.TimeoutSeconds).InclusiveBetween(1, 60).When(r => r.TimeoutSeconds is not null);
            this.ValidateOptions(r => r.Options);
            RuleFor(r => r.TimeoutDestination!).SetValidator(new IvrRules.DestinationValidator()).When(r => r.TimeoutDestination is not null);
            RuleFor(r => r.InvalidDestination!).SetValidator(new IvrRules.DestinationValidator()).When(r => r.InvalidDestination is not null);
        }
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<UpdateIvrRequest, IvrResponse>
    {
        public async ValueTask<IvrResponse> Handle(UpdateIvrRequest r, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var before = await TenantOwned.LockToChangeAsync<IvrStore, IvrResponse>(conn, tx, ctx, r.Id, ct);

            var options = r.Options ?? before.Options;
            var timeout = r.TimeoutDestination ?? before.TimeoutDestination;
            var invalid = r.InvalidDestination ?? before.InvalidDestination;
            await RouteTargets.EnsureInTenantAsync(conn, tx, before.TenantId, IvrStore.Targets(options, timeout, invalid), ct);
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE ivrs SET name = coalesce(@Name, name), greeting = coalesce(@Greeting, greeting),
                    timeout_seconds = coalesce(@TimeoutSeconds, timeout_seconds), updated_at = clock_timestamp()
                WHERE id = @Id
                """, new { r.Id, r.Name, r.Greeting, r.TimeoutSeconds }, tx, cancellationToken: ct))
                .NamingDuplicates(IvrStore.DuplicateName(r.Name));
            await IvrStore.ReplaceKeysAsync(conn, tx, r.Id, before.TenantId, options, timeout, invalid, ct);
            var after = (await IvrStore.ReadAsync(conn, tx, "WHERE id = @id", new { id = r.Id }, ct))[0];
            if (!AuditChange.Changed(before, after))
            {
                // Nothing changed: undo the write, so updated_at stays and no audit row says nothing.
                await tx.RollbackAsync(ct);
                return before;
            }
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Update, AuditEntity.Ivr, r.Id, before.TenantId, before, after, ct);
            await tx.CommitAsync(ct);
            return after;
        }
    }
}

public sealed class UpdateIvrModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/ivrs", "IVRs")
            .MapPatch("/{id:guid}", async (Guid id, UpdateIvrRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(body with { Id = id }, ct)))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("UpdateIvr")
            .WithSummary("Change an IVR. options, when sent, replaces all keys.")
            .Produces<IvrResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
