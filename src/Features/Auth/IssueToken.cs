using Carter;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Http;
using Did.Infrastructure.Json;
using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Npgsql;

namespace Did.Features.Auth;

/// <summary>Body of POST /api/v1/auth/token.</summary>
public sealed record IssueTokenRequest(string Email, string Password) : ICommand<TokenResponse>;

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

public static class IssueToken
{
    public sealed class Validator : AbstractValidator<IssueTokenRequest>
    {
        public Validator()
        {
            RuleFor(r => r.Email).NotEmpty().PlainText(254);
            // Not the new-password rules: an account whose password predates them must still be able to sign in.
            RuleFor(r => r.Password).NotEmpty().MaximumLength(128);
        }
    }

    /// <summary>Same 401 for an unknown email and a wrong password, and the same cost (a decoy hash); the throttle
    /// counts an unknown email like a known one, so nothing here tells who has an account. The attempt is counted
    /// before the password is checked (<see cref="SignInThrottle"/>), and no connection is held while it is.</summary>
    public sealed class Handler(NpgsqlDataSource db, SignInThrottle throttle, PasswordHasher hasher, TokenIssuer issuer, RequestContext ctx)
        : ICommandHandler<IssueTokenRequest, TokenResponse>
    {
        private sealed record Account(Guid Id, string PasswordHash, string Role, Guid? TenantId, Guid SecurityStamp);

        public async ValueTask<TokenResponse> Handle(IssueTokenRequest r, CancellationToken ct)
        {
            var email = EmailAddress.Canonical(r.Email);
            var key = SignInKey.For(ctx.RemoteAddress, email.ToLowerInvariant());

            Account? account = null;
            var verified = await throttle.AttemptAsync(key, async c =>
            {
                await using (var conn = await db.OpenConnectionAsync(c))
                    account = await conn.QuerySingleOrDefaultAsync<Account>(new CommandDefinition(
                        "SELECT id, password_hash, role, tenant_id, security_stamp FROM users WHERE lower(email) = lower(@email)",
                        new { email }, cancellationToken: c));
                return await hasher.VerifyAsync(r.Password, account?.PasswordHash, c);
            }, ct);
            if (!verified)
                throw new ProblemException(StatusCodes.Status401Unauthorized, "Unauthorized", "Invalid email or password.");

            var (token, expiresIn) = issuer.Issue(account!.Id, ApiJson.Parse<Role>(account.Role), account.TenantId, account.SecurityStamp);
            return new TokenResponse(token, "Bearer", expiresIn);
        }
    }
}

public sealed class IssueTokenModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/auth/token", async (IssueTokenRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(body, ct)))
            .KeepsAnswersOutOfCaches() // a token on success; a refusal says which attempts were checked
            .AllowAnonymous()
            .RequireRateLimiting(SignInSetup.RateLimitPolicy)
            .WithTags("Auth")
            .WithName("IssueToken")
            .WithSummary("Exchange email and password for a short-lived bearer token.")
            .WithDescription("Failed sign-ins are counted per source address and per email from that address; past the " +
                "allowed number each further attempt is refused (429, Retry-After) for a wait that doubles with each failure. " +
                "A 503 with Retry-After means the service is checking as many passwords as it can at once.")
            .Produces<TokenResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
