using Carter;
using Dapper;
using Did.Infrastructure.Auth;
using Did.Infrastructure.Errors;
using Did.Infrastructure.Json;
using Did.Infrastructure.Validation;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Options;
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
            RuleFor(r => r.Password).NotEmpty().MaximumLength(128);
        }
    }

    /// <summary>Same 401 for an unknown email and a wrong password, same cost for both (decoy hash), and a lockout
    /// after repeated failures kept per email whether or not the email exists, so nothing here tells who has an account.</summary>
    public sealed class Handler(NpgsqlDataSource db, PasswordHasher hasher, TokenIssuer issuer, IOptions<AuthOptions> options)
        : ICommandHandler<IssueTokenRequest, TokenResponse>
    {
        private sealed record Account(Guid Id, string PasswordHash, string Role, Guid? TenantId, Guid SecurityStamp);

        public async ValueTask<TokenResponse> Handle(IssueTokenRequest r, CancellationToken ct)
        {
            var email = r.Email.Trim().ToLowerInvariant();
            await using var conn = await db.OpenConnectionAsync(ct);

            var lockedFor = await conn.ExecuteScalarAsync<double?>(new CommandDefinition(
                "SELECT extract(epoch FROM locked_until - now()) FROM login_throttle WHERE email = @email AND locked_until > now()",
                new { email }, cancellationToken: ct));
            if (lockedFor is { } seconds)
                throw TooManyAttempts((int)Math.Ceiling(seconds));

            var account = await conn.QuerySingleOrDefaultAsync<Account>(new CommandDefinition(
                "SELECT id, password_hash, role, tenant_id, security_stamp FROM users WHERE lower(email) = @email",
                new { email }, cancellationToken: ct));

            if (!await hasher.VerifyAsync(r.Password, account?.PasswordHash, ct))
            {
                await RecordFailureAsync(conn, email, ct);
                throw new ProblemException(StatusCodes.Status401Unauthorized, "Unauthorized", "Invalid email or password.");
            }

            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM login_throttle WHERE email = @email", new { email }, cancellationToken: ct));
            var (token, expiresIn) = issuer.Issue(account!.Id, ApiJson.Parse<Role>(account.Role), account.TenantId, account.SecurityStamp);
            return new TokenResponse(token, "Bearer", expiresIn);
        }

        private Task RecordFailureAsync(NpgsqlConnection conn, string email, CancellationToken ct)
        {
            var o = options.Value;
            return conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO login_throttle AS t (email, failures, locked_until) VALUES (@email, 1, NULL)
                ON CONFLICT (email) DO UPDATE SET
                    failures = CASE WHEN t.failures + 1 >= @max THEN 0 ELSE t.failures + 1 END,
                    locked_until = CASE WHEN t.failures + 1 >= @max THEN now() + make_interval(mins => @minutes) ELSE t.locked_until END,
                    updated_at = now()
                """, new { email, max = o.MaxFailedLogins, minutes = o.LockoutMinutes }, cancellationToken: ct));
        }

        private static ProblemException TooManyAttempts(int seconds) =>
            new(StatusCodes.Status429TooManyRequests, "Too many failed sign-ins",
                $"Too many failed sign-ins for this email; try again in {seconds} seconds.",
                new Dictionary<string, object?> { ["retry_after_seconds"] = seconds });
    }
}

public sealed class IssueTokenModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/auth/token", async (IssueTokenRequest body, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(body, ct)))
            .AllowAnonymous()
            .WithTags("Auth")
            .WithName("IssueToken")
            .WithSummary("Exchange email and password for a short-lived bearer token.")
            .Produces<TokenResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
}
