using Carter;
using Dapper;
using Did.Infrastructure.Audit;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.Dids;

/// <summary>Body of POST /api/v1/dids/allocate: hand a tenant a block of numbers in one call, as a list (1 to 10,000, any
/// written form) or a range (up to 100,000). <c>default_region</c> reads national forms (else Dids:DefaultRegion).</summary>
public sealed record BulkAllocateRequest(Guid TenantId, IReadOnlyList<string>? Numbers = null, NumberRange? Range = null, string? DefaultRegion = null)
    : ICommand<BulkResult>;

public static class BulkAllocate
{
    public sealed class Validator : AbstractValidator<BulkAllocateRequest>
    {
        public Validator()
        {
            RuleFor(r => r.TenantId).NotEmpty();
            this.NumbersOrRange(r => r.Numbers, r => r.Range, r => r.DefaultRegion);
        }
    }

    /// <summary>One UPDATE decides: it moves every requested number that is free for the tenant (UNASSIGNED, or QUARANTINED
    /// from that tenant or past its date, NumberQuarantine.FreeFor), and when that is all of them the
    /// allocation is done (the common case, one pass over the rows). Otherwise it is undone (a savepoint) and the
    /// numbers are locked in number order and read, to list every problem; if a concurrent change has cleared them
    /// meanwhile, the locked numbers are allocated after all.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx, NumberSettings settings) : ICommandHandler<BulkAllocateRequest, BulkResult>
    {
        // The rows to change are found by number on both sides of the join: joined on id alone, PostgreSQL reads a long
        // list's rows by scanning the whole inventory.
        private static readonly string Allocate = $"""
            WITH was AS (SELECT id, status FROM phone_numbers WHERE number = ANY(@numbers))
            UPDATE phone_numbers p SET {NumberQuarantine.Give}
            FROM was
            WHERE p.number = ANY(@numbers) AND was.id = p.id AND {NumberQuarantine.FreeFor("p", "@TenantId")}
            RETURNING p.id, was.status = 'QUARANTINED' AS from_quarantine
            """;

        public async ValueTask<BulkResult> Handle(BulkAllocateRequest r, CancellationToken ct)
        {
            var requested = BulkNumbers.Read(r.Numbers, r.Range, settings.RegionFor(r.DefaultRegion));
            var errors = requested.Errors;
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var tenant = await TenantExistence.NameAsync(conn, tx, r.TenantId, ct);

            var args = new { r.TenantId, numbers = requested.E164 };
            List<(Guid Id, bool FromQuarantine)>? moved = null;
            if (errors.Count == 0)
            {
                await tx.SaveAsync("allocate", ct);
                moved = (await conn.QueryAsync<(Guid, bool)>(new CommandDefinition(Allocate, args, tx, commandTimeout: 0, cancellationToken: ct))).AsList();
                if (moved.Count != requested.Numbers.Count)
                {
                    await tx.RollbackAsync("allocate", ct);
                    moved = null;
                }
            }
            if (moved is null)
            {
                var rows = await BulkNumbers.LockAsync(conn, tx, requested.E164, ct);
                var now = await conn.ExecuteScalarAsync<DateTime>(new CommandDefinition("SELECT now()", transaction: tx, cancellationToken: ct));
                foreach (var row in rows)
                {
                    var (pos, label, _) = requested.Numbers[row.Ord];
                    if (row.Status is null) errors.Add(pos, label, $"Unknown number: {row.Number}");
                    else if (row.Status == "QUARANTINED")
                    {
                        if (row.QuarantinedFromTenantId != r.TenantId && row.QuarantineUntil > now)
                            errors.Add(pos, label, NumberQuarantine.Refusal(row.Number, row.QuarantineUntil.Value, row.QuarantinedFromName));
                    }
                    else if (row.Status != "UNASSIGNED") errors.Add(pos, label, DidRules.HeldBy(row.Number, row.Status, row.TenantName));
                }
                errors.ThrowIfAny("updated", "Nothing was allocated");
                moved = (await conn.QueryAsync<(Guid, bool)>(new CommandDefinition(Allocate, args, tx, commandTimeout: 0, cancellationToken: ct))).AsList();
            }

            // How many came back out of quarantine (only when some did); which ones, each number's link says (M0040), where a
            // number's history reads its state before.
            var fromQuarantine = moved.Count(m => m.FromQuarantine);
            object after = (r.Range, fromQuarantine) switch
            {
                (null, 0) => new { count = moved.Count, tenant_id = r.TenantId, tenant_name = tenant, numbers = requested.E164 },
                (null, _) => new { count = moved.Count, tenant_id = r.TenantId, tenant_name = tenant, numbers = requested.E164, from_quarantine_count = fromQuarantine },
                (_, 0) => new { count = moved.Count, tenant_id = r.TenantId, tenant_name = tenant, range = r.Range },
                _ => new { count = moved.Count, tenant_id = r.TenantId, tenant_name = tenant, range = r.Range, from_quarantine_count = fromQuarantine },
            };
            var audit = await AuditLog.WriteAsync(conn, tx, ctx, AuditAction.Allocate, AuditEntity.PhoneNumber, null, r.TenantId, null, after, ct);
            await BulkNumbers.LinkAsync(conn, tx, audit, moved.Select(m => m.Id), moved.Select(_ => (Guid?)r.TenantId),
                moved.Select(m => m.FromQuarantine), ct);
            await tx.CommitAsync(ct);
            return new BulkResult(moved.Count, 0);
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
            .WithSummary("Allocate UNASSIGNED numbers (and numbers QUARANTINED from this same tenant) to a tenant (platform admin): a list of up to 10,000 numbers in any written form " +
                         "(national forms read with default_region, else Dids__DefaultRegion) or a range {from, to} of up to 100,000 (both ends " +
                         "of the same length and country). All or nothing: any bad, unknown or held number, or one quarantined from another " +
                         "tenant (with the date it frees up), makes it a 400 listing every " +
                         "problem ({updated: 0, failed, errors: {\"numbers[i]\" or \"range[i]\": [messages]}}, the first 1,000) and nothing changes.")
            .Produces<BulkResult>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
}
