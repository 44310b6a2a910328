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

/// <summary>Body of POST /api/v1/dids/deallocate: a list of up to 10,000 numbers in any written form, or a range of up to
/// 100,000.</summary>
public sealed record BulkDeallocateRequest(IReadOnlyList<string>? Numbers = null, NumberRange? Range = null, string? DefaultRegion = null)
    : ICommand<BulkResult>;

public static class BulkDeallocate
{
    public sealed class Validator : AbstractValidator<BulkDeallocateRequest>
    {
        public Validator() => this.NumbersOrRange(r => r.Numbers, r => r.Range, r => r.DefaultRegion);
    }

    /// <summary>Locks the numbers in number order, lists every one that is not held by a tenant, then, all of them held:
    /// ends the routes of the ASSIGNED ones (one UNASSIGN audit row each) and takes every number back from its tenant into
    /// quarantine (or the inventory, with <c>Dids:QuarantineDays</c> 0), all in one transaction. One DEALLOCATE row per
    /// tenant the numbers came from, in that tenant's log and naming only its numbers: a range from one tenant keeps the
    /// range as sent, a range across tenants lists each tenant's own numbers, since the range would tell each how many of
    /// it the others held.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, NumberSettings settings) : ICommandHandler<BulkDeallocateRequest, BulkResult>
    {
        public async ValueTask<BulkResult> Handle(BulkDeallocateRequest r, CancellationToken ct)
        {
            var requested = BulkNumbers.Read(r.Numbers, r.Range, settings.RegionFor(r.DefaultRegion));
            var errors = requested.Errors;
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var rows = await BulkNumbers.LockAsync(conn, tx, requested.E164, ct);
            foreach (var row in rows)
            {
                var error = row.Status switch
                {
                    null => $"Unknown number: {row.Number}",
                    "UNASSIGNED" => $"DID {row.Number} is not allocated",
                    "QUARANTINED" => $"DID {row.Number} is not allocated: it is already quarantined until {NumberQuarantine.Date(row.QuarantineUntil!.Value)}",
                    _ => null,
                };
                var (pos, label, _) = requested.Numbers[row.Ord];
                if (error is not null) errors.Add(pos, label, error);
            }
            errors.ThrowIfAny("updated", "Nothing was deallocated");

            var routed = rows.Where(x => x.Status == "ASSIGNED").Select(x => x.Id!.Value).ToArray();
            if (routed.Length > 0) await NumberQuarantine.EndRoutesAsync(conn, tx, ctx, routed, ct);
            var until = settings.QuarantineDays > 0
                ? await conn.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
                    "SELECT now() + make_interval(days => @days)", new { days = settings.QuarantineDays }, tx, cancellationToken: ct))
                : null;
            // Every number was held (checked above), so each has a tenant. Each tenant's log gets the row of its own numbers.
            var byTenant = rows.GroupBy(x => x.TenantId!.Value).ToList();
            var audits = new List<(Guid Audit, List<BulkNumbers.Row> Rows)>(byTenant.Count);
            foreach (var held in byTenant)
            {
                var own = held.ToList();
                var tenants = new Dictionary<string, int> { [held.Key.ToString()] = own.Count };
                object after = (r.Range, byTenant.Count) switch
                {
                    (not null, 1) => new { count = own.Count, tenants, quarantine_until = until, range = r.Range },
                    _ => new { count = own.Count, tenants, quarantine_until = until, numbers = own.Select(x => x.Number).ToArray() },
                };
                audits.Add((await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Deallocate, AuditEntity.PhoneNumber, null, held.Key, null, after, ct),
                    own));
            }
            var updated = await conn.ExecuteAsync(new CommandDefinition($"""
                UPDATE phone_numbers SET {NumberQuarantine.TakeBack}
                WHERE id = ANY(@ids) AND status IN ('ALLOCATED', 'ASSIGNED')
                """, new { ids = rows.Select(x => x.Id!.Value).ToArray(), quarantineDays = settings.QuarantineDays }, tx, commandTimeout: 0,
                cancellationToken: ct));
            foreach (var (audit, own) in audits)
                await BulkNumbers.LinkAsync(conn, tx, audit, own.Select(x => x.Id!.Value), own.Select(x => x.TenantId), null, ct);
            await tx.CommitAsync(ct);
            return new BulkResult(updated, 0);
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
            .WithSummary("Take ALLOCATED or ASSIGNED numbers back from their tenants (platform admin): a list of up to 10,000 numbers in any " +
                         "written form or a range {from, to} of up to 100,000. ASSIGNED numbers' routes end in the same transaction; every number " +
                         "becomes QUARANTINED for Dids__QuarantineDays days (0: straight to UNASSIGNED). All or nothing: an unknown, UNASSIGNED or " +
                         "QUARANTINED number makes it a 400 listing every problem ({updated: 0, failed, errors: {\"numbers[i]\" or \"range[i]\": " +
                         "[messages]}}, the first 1,000) and nothing changes.")
            .Produces<BulkResult>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
}
