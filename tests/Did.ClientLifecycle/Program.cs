using System.Net.Http.Headers;
using Did.Client;
using Did.Client.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

// A number's whole life through the generated client, as an ops script would live it: sign in, tenant, user, import,
// allocate, assign, preview, apply, unassign, deallocate; then an unknown number, answered as a typed problem. Usage: Did.ClientLifecycle <base-url> <admin-email>
// <admin-password>. Prints one line per step; exits 0 when every step answered what it should, 1 with the reason
// otherwise (a problem+json answer is printed with its status, title and detail).

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Did.ClientLifecycle <base-url> <admin-email> <admin-password>");
    return 2;
}
var (baseUrl, email, password) = (args[0].TrimEnd('/'), args[1], args[2]);

try
{
    await Lifecycle.RunAsync(baseUrl, email, password);
    Console.WriteLine("lifecycle: done");
    return 0;
}
catch (ProblemDetails problem)
{
    Console.Error.WriteLine($"lifecycle: {problem.ResponseStatusCode} {problem.Title}: {problem.Detail}");
    return 1;
}
catch (ApiException e)
{
    Console.Error.WriteLine($"lifecycle: {e.ResponseStatusCode} {e.Message}");
    return 1;
}
catch (LifecycleException e)
{
    Console.Error.WriteLine($"lifecycle: {e.Message}");
    return 1;
}

internal static class Lifecycle
{
    public static async Task RunAsync(string baseUrl, string email, string password)
    {
        using var anonymousHttp = new HttpClient();
        var anonymous = Client(anonymousHttp, baseUrl);
        var token = await anonymous.Api.V1.Auth.Token.PostAsync(new IssueTokenRequest { Email = email, Password = password });
        Expect(!string.IsNullOrEmpty(token?.AccessToken), "sign in answered no access_token");
        Step("sign in", $"{token!.TokenType} token, expires in {token.ExpiresIn} s");

        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        var did = Client(http, baseUrl);

        var slug = "sdk" + Guid.NewGuid().ToString("N")[..10];
        var tenant = await did.Api.V1.Tenants.PostAsync(new CreateTenantRequest { Name = $"SDK {slug}", Slug = slug });
        Expect(tenant?.Id is not null && tenant.Slug == slug, "the tenant came back without its id or slug");
        Step("tenant", $"{tenant!.Slug} {tenant.Id}");

        var user = await did.Api.V1.Users.PostAsync(new CreateUserRequest
        {
            Email = $"{slug}@example.com", Password = "generated-client-passphrase", DisplayName = "SDK user",
            Role = Role.USER, TenantId = tenant.Id, Extension = "2001",
        });
        Expect(user?.Id is not null && user.TenantId == tenant.Id, "the user came back without its id or in another tenant");
        Step("user", $"{user!.Email} extension {user.Extension}");

        // A valid US number (+1 971 9XX XXXX: the tests' seeded numbers stay below 971 9), as an import requires.
        var number = "+19719" + Random.Shared.Next(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var imported = await did.Api.V1.Dids.Import.PostAsync(new ImportDidsRequest
        {
            Dids = [new ImportDidItem { Number = number, Provider = "sdk" }],
        });
        Expect(imported?.Imported == 1 && imported.Failed == 0, $"import answered imported={imported?.Imported}, failed={imported?.Failed}");
        var page = await did.Api.V1.Dids.GetAsync(r => r.QueryParameters.Number = number);
        var found = page?.Items?.SingleOrDefault(d => d.Number == number);
        Expect(found?.Id is not null && found.Status == DidStatus.UNASSIGNED, $"{number} is not in the inventory after its import");
        Step("import", $"{number} UNASSIGNED");
        var id = found!.Id!.Value;

        var allocated = await did.Api.V1.Dids[id].Allocate.PatchAsync(new AllocateDidRequest { TenantId = tenant.Id });
        Expect(allocated?.Status == DidStatus.ALLOCATED && allocated.TenantId == tenant.Id, $"allocate answered {allocated?.Status}");
        Step("allocate", $"{number} ALLOCATED to {tenant.Slug}");

        var assignment = await did.Api.V1.Dids[id].Assign.PostAsync(new AssignDidRequest { AssignedType = AssignmentType.USER, AssignedId = user.Id });
        Expect(assignment?.AssignedType == AssignmentType.USER && assignment.AssignedId == user.Id, "assign answered another destination");
        Step("assign", $"{number} -> {assignment!.Destination}");

        var preview = await did.Api.V1.Apply.Preview.PostAsync();
        Expect(preview?.Changes == true && preview.NumbersRouted >= 1, $"preview answered changes={preview?.Changes}, numbers_routed={preview?.NumbersRouted}");
        Expect(preview!.Diff?.Contains(number.TrimStart('+'), StringComparison.Ordinal) == true, $"the preview's diff does not show {number}");
        Step("preview", $"{preview.NumbersRouted} numbers routed, +{preview.DiffStats?.LinesAdded} -{preview.DiffStats?.LinesRemoved} lines");

        var job = await did.Api.V1.Apply.PostAsync();
        Expect(job?.Status == ApplyJobStatus.SUCCEEDED, $"apply ended {job?.Status}: {job?.Error}");
        Step("apply", $"job {job!.Id} {job.Status}, {job.Steps?.Count} steps");

        await did.Api.V1.Dids[id].Assign.DeleteAsync();
        var unassigned = await did.Api.V1.Dids[id].GetAsync();
        Expect(unassigned?.Status == DidStatus.ALLOCATED && unassigned.Assignment is null, $"after unassign the number is {unassigned?.Status}");
        Step("unassign", $"{number} ALLOCATED");

        var deallocated = await did.Api.V1.Dids[id].Deallocate.PatchAsync();
        Expect(deallocated?.Status == DidStatus.QUARANTINED && deallocated.TenantId is null && deallocated.QuarantineUntil is not null,
            $"deallocate answered {deallocated?.Status}");
        Step("deallocate", $"{number} QUARANTINED until {deallocated!.QuarantineUntil:O}");

        // An error is typed too: the document declares its problem+json, so the client throws it as ProblemDetails.
        var missing = Guid.NewGuid();
        try
        {
            await did.Api.V1.Dids[missing].GetAsync();
            throw new LifecycleException($"GET of the unknown number {missing} answered a number");
        }
        catch (ProblemDetails problem) when (problem.ResponseStatusCode == 404)
        {
            Step("not found", $"{problem.Status} {problem.Title}");
        }
    }

    private static DidApiClient Client(HttpClient http, string baseUrl) =>
        new(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = baseUrl });

    private static void Step(string name, string detail) => Console.WriteLine($"{name}: {detail}");

    private static void Expect(bool condition, string failure)
    {
        if (!condition) throw new LifecycleException(failure);
    }
}

internal sealed class LifecycleException(string message) : Exception(message);
