using Carter;
using Did.Infrastructure.Auth;
using Did.Infrastructure.OpenApi;
using Did.Infrastructure.Routing;
using Mediator;
using Npgsql;

namespace Did.Features.Ivrs;

public sealed record DeleteIvrCommand(Guid Id) : ICommand;

public static class DeleteIvr
{
    public sealed class Handler(NpgsqlDataSource db, RequestContext ctx) : ICommandHandler<DeleteIvrCommand>
    {
        public async ValueTask<Unit> Handle(DeleteIvrCommand c, CancellationToken ct)
        {
            await TenantOwned.DeleteAsync<IvrStore, IvrResponse>(db, ctx, c.Id, ct);
            return Unit.Value;
        }
    }
}

public sealed class DeleteIvrModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapApiGroup("/api/v1/ivrs", "IVRs")
            .MapDeleteCommand("/{id:guid}", id => new DeleteIvrCommand(id))
            .RequireAuthorization(Policies.TenantManager)
            .WithName("DeleteIvr")
            .WithSummary("Delete an IVR; 409 listing the numbers and IVRs that still send calls to it.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
