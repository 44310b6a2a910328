using System.Text.Json;
using Carter;
using Did.Features.Assignments;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Data;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;
using static Did.Infrastructure.Data.BatchParameters;

namespace Did.Features.Dids;

public sealed record GetDidQuery(Guid Id) : IQuery<DidDetailResponse>;

/// <summary>One number of the inventory with its whole route: <c>assignment</c> is what POST/PUT .../assign answered
/// (default destination, ring time, failover and rules, with readable labels), null when the number is not routed.
/// <c>country</c>, <c>number_type</c>, <c>quarantine_until</c> and <c>quarantined_from_tenant_id</c> are as in the list.</summary>
public sealed record DidDetailResponse(
    Guid Id, string Number, DidStatus Status, Guid? TenantId, string? Provider, JsonElement ProviderMetadata,
    AssignmentResponse? Assignment, DateTime CreatedAt, DateTime UpdatedAt, string? Country, NumberType? NumberType,
    DateTime? QuarantineUntil, Guid? QuarantinedFromTenantId);

public static class GetDid
{
    /// <summary>The number and its route in one round trip, both in the caller's scope.</summary>
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetDidQuery, DidDetailResponse>
    {
        public async ValueTask<DidDetailResponse> Handle(GetDidQuery q, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var batch = new NpgsqlBatch(conn)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand($"""
                        SELECT {DidRow.Columns} FROM phone_numbers WHERE id = @id AND (@scope::uuid IS NULL OR tenant_id = @scope)
                        """)
                    {
                        Parameters = { Uuid("id", q.Id), Uuid("scope", ctx.TenantScope) },
                    },
                    CurrentRoute.Read(q.Id, ctx.TenantScope),
                },
            };
            await using var reader = await batch.ExecuteReaderAsync(ct);
            var row = await reader.ReadSingleOrDefaultAsync<DidRow>(ct) ?? throw Problem.NotFound("DID", q.Id);
            var route = await CurrentRoute.ReadAsync(reader, ct);
            var did = row.ToResponse();
            return new DidDetailResponse(did.Id, did.Number, did.Status, did.TenantId, did.Provider, did.ProviderMetadata, route,
                did.CreatedAt, did.UpdatedAt, did.Country, did.NumberType, did.QuarantineUntil, did.QuarantinedFromTenantId);
        }
    }
}

public sealed class GetDidModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/dids", "DIDs")
            .MapGet("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetDidQuery(id), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("GetDid")
            .WithSummary("Get a number with its route (destination, rules, failover, ring time). A number outside a tenant admin's tenant is a 404.")
            .Produces<DidDetailResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);
}
