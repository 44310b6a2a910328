using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.OpenApi;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>Body of POST /api/v1/dids/deallocate.</summary>
public sealed record BulkDeallocateRequest(IReadOnlyList<string> Numbers) : ICommand<BulkResult>;

public static class BulkDeallocate
{
    public sealed class Validator : AbstractValidator<BulkDeallocateRequest>
    {
        public Validator() => RuleFor(r => r.Numbers).NumberList();
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<BulkDeallocateRequest, BulkResult>
    {
        public async ValueTask<BulkResult> Handle(BulkDeallocateRequest r, CancellationToken ct)
        {
            var errors = BulkNumbers.Check(r.Numbers);
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var rows = await BulkNumbers.LockAsync(conn, tx, r.Numbers, ct);
            foreach (var row in rows)
            {
                var error = row.Status switch
                {
                    null => $"Unknown number: {row.Number}",
                    "UNASSIGNED" => $"DID {row.Number} is not allocated",
                    "ASSIGNED" => DidRules.AssignedDetail(row.Number, null),
                    _ => null,
                };
                if (error is not null) errors.Add(row.Ord, $"numbers[{row.Ord}]: {error}");
            }
            errors.ThrowIfAny("updated", "Nothing was deallocated");

            var tenants = rows.Where(x => x.TenantId is not null).GroupBy(x => x.TenantId!.Value).ToDictionary(g => g.Key.ToString(), g => g.Count());
            var updated = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE phone_numbers SET status = 'UNASSIGNED', tenant_id = NULL, updated_at = now()
                WHERE number = ANY(@numbers) AND status = 'ALLOCATED'
                """, new { numbers = r.Numbers.ToArray() }, tx, cancellationToken: ct));
            Guid? onlyTenant = tenants.Count == 1 ? Guid.Parse(tenants.Keys.First()) : null;
            await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Deallocate, AuditEntity.PhoneNumber, null, onlyTenant, null,
                new { count = updated, tenants, numbers = r.Numbers }, ct);
            await tx.CommitAsync(ct);
            return new BulkResult(updated, 0, []);
        }
    }
}

public sealed class BulkDeallocateModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "DIDs")
            .MapPost("/deallocate", async (BulkDeallocateRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(body, ct)))
            .RequireAuthorization(Policies.PlatformAdmin)
            .WithMetadata(new RequestSizeLimitAttribute(BulkNumbers.MaxBodyBytes))
            .WithName("BulkDeallocateDids")
            .WithSummary("Take up to 10,000 ALLOCATED numbers back into the inventory (platform admin), all or nothing: an unknown, " +
                         "unallocated or ASSIGNED number makes it a 400 listing every problem and nothing changes.")
            .Produces<BulkResult>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
}
