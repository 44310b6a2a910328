using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>Body of POST /api/v1/dids/allocate: hand a tenant a block of numbers in one call.</summary>
public sealed record BulkAllocateRequest(Guid TenantId, IReadOnlyList<string> Numbers) : ICommand<BulkResult>;

public static class BulkAllocate
{
    public sealed class Validator : AbstractValidator<BulkAllocateRequest>
    {
        public Validator()
        {
            RuleFor(r => r.TenantId).NotEmpty();
            RuleFor(r => r.Numbers).NumberList();
        }
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<BulkAllocateRequest, BulkResult>
    {
        public async ValueTask<BulkResult> Handle(BulkAllocateRequest r, CancellationToken ct)
        {
            var errors = BulkNumbers.Check(r.Numbers);
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var tenant = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT name FROM tenants WHERE id = @TenantId", new { r.TenantId }, tx, cancellationToken: ct))
                ?? throw Problem.Invalid("tenant_id", $"Tenant '{r.TenantId}' does not exist.");

            var rows = await BulkNumbers.LockAsync(conn, tx, r.Numbers, ct);
            foreach (var row in rows)
            {
                if (row.Status is null) errors.Add(row.Ord, $"numbers[{row.Ord}]: Unknown number: {row.Number}");
                else if (row.Status != "UNASSIGNED") errors.Add(row.Ord, $"numbers[{row.Ord}]: {DidRules.HeldBy(row.Number, row.Status, row.TenantName)}");
            }
            errors.ThrowIfAny("updated", "Nothing was allocated");

            var updated = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE phone_numbers SET status = 'ALLOCATED', tenant_id = @TenantId, updated_at = now()
                WHERE number = ANY(@numbers) AND status = 'UNASSIGNED'
                """, new { r.TenantId, numbers = r.Numbers.ToArray() }, tx, cancellationToken: ct));
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Allocate, AuditEntity.PhoneNumber, null, r.TenantId, null,
                new { count = updated, tenant_id = r.TenantId, tenant_name = tenant, numbers = r.Numbers }, ct);
            await tx.CommitAsync(ct);
            return new BulkResult(updated, 0, []);
        }
    }
}

public sealed class BulkAllocateModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "DIDs")
            .MapPost("/allocate", async (BulkAllocateRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(body, ct)))
            .RequireAuthorization(Policies.PlatformAdmin)
            .WithMetadata(new RequestSizeLimitAttribute(BulkNumbers.MaxBodyBytes))
            .WithName("BulkAllocateDids")
            .WithSummary("Allocate up to 10,000 UNASSIGNED numbers to a tenant (platform admin), all or nothing: any bad number makes it a 400 " +
                         "listing every problem ({updated: 0, failed, errors: [\"numbers[i]: ...\"]}) and nothing changes.")
            .Produces<BulkResult>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
}
