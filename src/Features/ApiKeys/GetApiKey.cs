using Carter;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.OpenApi;
using Mediator;
using Npgsql;

namespace Did.Features.ApiKeys;

public sealed record GetApiKeyQuery(Guid Id) : IQuery<ApiKeyResponse>;

public static class GetApiKey
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : IQueryHandler<GetApiKeyQuery, ApiKeyResponse>
    {
        public async ValueTask<ApiKeyResponse> Handle(GetApiKeyQuery q, CancellationToken ct)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            var row = await conn.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(
                $"SELECT {ApiKeyRow.Columns} FROM api_keys WHERE id = @Id AND {ApiKeyRow.Scope}",
                new { q.Id, scope = ctx.TenantScope }, cancellationToken: ct));
            return row?.ToResponse() ?? throw Problem.NotFound("API key", q.Id);
        }
    }
}

public sealed class GetApiKeyModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/api-keys", "API keys")
            .MapGet("/{id:guid}", async (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetApiKeyQuery(id), ct)))
            .RequireAuthorization(Policies.Reader)
            .WithName("GetApiKey")
            .WithSummary("Get an API key, without its secret. Another tenant's key is a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);
}
