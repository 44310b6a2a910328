using System.ComponentModel;
using Carter;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Paging;
using FluentValidation;
using Mediator;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Did.Features.ApiKeys;

public sealed record ListApiKeysQuery(
    [property: FromQuery(Name = "tenant_id")] Guid? TenantId = null,
    [property: FromQuery(Name = "cursor"), Description(Paging.CursorDescription)] string? Cursor = null,
    [property: FromQuery(Name = "page"), Description(Paging.PageNumberDescription)] int? Page = null,
    [property: FromQuery(Name = "page_size"), Description(Paging.PageSizeDescription)] int PageSize = Paging.DefaultPageSize)
    : IQuery<Paged<ApiKeyResponse>>, IPaged
{
    public string CursorScope() => PageCursor.Scope("api-keys", ("tenant_id", TenantId));
}

/// <summary>The sort key of the key list, newest first; the id breaks ties between keys created in the same instant.</summary>
public sealed record ApiKeyCursor(DateTime CreatedAt, Guid Id);

public static class ListApiKeys
{
    public sealed class Validator : AbstractValidator<ListApiKeysQuery>
    {
        public Validator() => this.ValidatePaging();
    }

    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<ListApiKeysQuery, Paged<ApiKeyResponse>>
    {
        public async ValueTask<Paged<ApiKeyResponse>> Handle(ListApiKeysQuery q, CancellationToken ct)
        {
            const string where = $"WHERE {ApiKeyRow.Scope} AND (@tenantId::uuid IS NULL OR tenant_id = @tenantId)";
            var after = q.After<ApiKeyCursor>();
            var keyset = after is null ? "" : "AND (created_at, id) < (@afterAt, @afterId)";
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await PageSnapshot.BeginAsync(conn, ct);
            using var results = await conn.QueryMultipleAsync(new CommandDefinition($"""
                SELECT count(*) FROM api_keys {where};
                SELECT {ApiKeyRow.Columns} FROM api_keys {where} {keyset} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset;
                """, new
                {
                    scope = ctx.TenantScope, q.TenantId, afterAt = after?.CreatedAt, afterId = after?.Id, limit = q.Limit(), offset = q.Offset(),
                }, tx, cancellationToken: ct));
            var total = await results.ReadSingleAsync<long>();
            var rows = (await results.ReadAsync<ApiKeyRow>()).Select(k => k.ToResponse()).ToList();
            return q.ToPaged(rows, total, k => new ApiKeyCursor(k.CreatedAt, k.Id));
        }
    }
}

public sealed class ListApiKeysModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/api-keys", "API keys")
            .MapGet("/", async ([AsParameters] ListApiKeysQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(query, ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("ListApiKeys")
            .WithSummary("List API keys, newest first, without their secrets. A tenant admin sees its tenant's keys. Follow next_cursor (cursor=) for the next page.")
            .Produces<Paged<ApiKeyResponse>>()
            .ProducesValidationProblem();
}
