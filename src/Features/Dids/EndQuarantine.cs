using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>Body of POST /api/v1/dids/{id}/quarantine/end: why the quarantine ends early (kept in the audit log).</summary>
public sealed record EndQuarantineRequest(string Reason) : ICommand<DidResponse>
{
    /// <summary>From the route; internal, so a body naming "id" is refused
    /// (docs/decisions.md, "A value is read as sent, or refused").</summary>
    internal Guid Id { get; init; }
}

public static class EndQuarantine
{
    public const int MaxReasonLength = 500;

    public sealed class Validator : AbstractValidator<EndQuarantineRequest>
    {
        public Validator() => RuleFor(r => r.Reason).Must(r => !string.IsNullOrWhiteSpace(r))
            .WithMessage("'reason' is required: say why the quarantine ends early (it is kept in the audit log).")
            .Name(MaxReasonLength);
    }

    /// <summary>The row is locked, so an allocation or the sweep waiting on it sees the number UNASSIGNED afterwards (the
    /// sweep skips it: SKIP LOCKED, then no longer QUARANTINED).</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<EndQuarantineRequest, DidResponse>
    {
        public async ValueTask<DidResponse> Handle(EndQuarantineRequest r, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var before = (await conn.QuerySingleOrDefaultAsync<DidRow>(new CommandDefinition(
                $"SELECT {DidRow.Columns} FROM phone_numbers WHERE id = @Id FOR UPDATE", new { r.Id }, tx, cancellationToken: ct)))
                ?.ToResponse() ?? throw Problem.NotFound("DID", r.Id);
            if (before.Status != DidStatus.Quarantined)
                throw Problem.Conflict($"DID {before.Number} is not quarantined (it is {Infrastructure.Json.ApiJson.Name(before.Status)}).");

            var after = (await conn.QuerySingleAsync<DidRow>(new CommandDefinition($"""
                UPDATE phone_numbers SET status = 'UNASSIGNED', quarantine_until = NULL, quarantined_from_tenant_id = NULL, updated_at = clock_timestamp()
                WHERE id = @Id
                RETURNING {DidRow.Columns}
                """, new { r.Id }, tx, cancellationToken: ct))).ToResponse();
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.EndQuarantine, AuditEntity.PhoneNumber, r.Id, null,
                new { status = before.Status, tenant_id = (Guid?)null, before.QuarantineUntil, before.QuarantinedFromTenantId },
                new { status = after.Status, tenant_id = (Guid?)null, reason = r.Reason.Trim() }, ct);
            await tx.CommitAsync(ct);
            return after;
        }
    }
}

public sealed class EndQuarantineModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "DIDs")
            .MapPost("/{id:guid}/quarantine/end", async (Guid id, EndQuarantineRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(body with { Id = id }, ct)))
            .RequireAuthorization(Policies.PlatformAdmin)
            .WithName("EndQuarantine")
            .WithSummary("End a number's quarantine early (platform admin), with a reason kept in the audit log: it becomes UNASSIGNED, free " +
                         "for any tenant. 409 when it is not QUARANTINED.")
            .Produces<DidResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
