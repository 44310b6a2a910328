using Did.Dialplan;
using Did.Infrastructure.Auth;
using Microsoft.AspNetCore.Mvc;

namespace Did.Infrastructure.Errors;

/// <summary>A render the data refused (<see cref="DialplanException"/>), as the 409 its caller may see. The data, not the
/// request and not the switch, is what must change, so it is a conflict, never a 500 or a 502. A platform role sees
/// every problem; a tenant's admin sees its own tenant's problems in full and only the number of the others, so one
/// tenant's broken or hostile data never shows up, not even by name, in another tenant's answer.</summary>
public static class DialplanRefusal
{
    /// <summary>At most this many problems are listed; the count covers them all.</summary>
    public const int MaxListed = 100;

    public static ProblemDetails ToProblem(DialplanException refused, Role? role, Guid? tenantId)
    {
        var platform = role is Role.PlatformAdmin or Role.Support;
        var visible = platform ? refused.Problems : refused.Problems.Where(p => p.TenantId is { } t && t == tenantId).ToList();
        var elsewhere = refused.Problems.Count - visible.Count;

        var detail = visible.Count > 0
            ? $"The dialplan cannot be rendered from the current data; {visible.Count} problem(s) must be fixed first: "
              + string.Join(" ", visible.Take(5).Select(p => p.Message.EndsWith('.') ? p.Message : p.Message + "."))
              + (visible.Count > 5 ? " ..." : "")
            : "The dialplan cannot be rendered from the current data.";
        if (elsewhere > 0)
            detail += $" {elsewhere} problem(s) outside your tenant also stop it; a platform admin must fix those.";

        var problem = new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Dialplan not rendered", Detail = detail };
        problem.Extensions["problems"] = visible.Take(MaxListed).Select(p => p.Message).ToArray();
        problem.Extensions["problem_count"] = visible.Count;
        problem.Extensions["problems_outside_your_tenant"] = elsewhere;
        return problem;
    }
}
