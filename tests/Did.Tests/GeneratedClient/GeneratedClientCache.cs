using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Did.Tests.GeneratedClient;

/// <summary>The outcome of building the lifecycle program against a generated client: the program to run, or the
/// compiler's errors.</summary>
public sealed record ClientBuild(string? Program, string Errors)
{
    public bool Succeeded => Program is not null;
}

/// <summary>Generates a C# client from an OpenAPI document with Kiota (the repository's dotnet tool manifest pins it),
/// builds <c>tests/Did.ClientLifecycle</c> against it, and keeps both under <c>.data/generated-client</c>: a client
/// by the document's hash, a build (or its errors) by the hash of everything it is made of. An unchanged document and
/// program cost two hashes and a look at a folder. Entries unused for a week are removed.</summary>
public static class GeneratedClientCache
{
    private static readonly TimeSpan KeepUnused = TimeSpan.FromDays(7);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string CacheRoot => Path.Combine(RepositoryRoot, ".data", "generated-client");

    private static string LifecycleProject => Path.Combine(RepositoryRoot, "tests", "Did.ClientLifecycle");

    private static readonly Lazy<Task<ChildProcessResult>> ToolRestore = new(() =>
        ChildProcess.RunAsync("dotnet", ["tool", "restore"], RepositoryRoot));

    private static readonly IReadOnlyDictionary<string, string> KiotaEnvironment = new Dictionary<string, string>
    {
        ["KIOTA_OFFLINE_ENABLED"] = "true", // no update check against the internet
        ["KIOTA_TUTORIAL_ENABLED"] = "false",
        ["KIOTA_CLI_TELEMETRY_OPTOUT"] = "true",
    };

    /// <summary>The document as a client is generated from it: without <c>servers</c>, which holds the address it was
    /// fetched from (a new port every run); a client is given its base address when it is made.</summary>
    public static string WithoutServers(string document)
    {
        var root = JsonNode.Parse(document)!.AsObject();
        root.Remove("servers");
        return root.ToJsonString();
    }

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    /// <summary>The folder of the client generated from <paramref name="document"/>, generating it if it is not cached.
    /// Throws <see cref="GeneratorUnavailableException"/> if Kiota cannot be installed or fails.</summary>
    public static async Task<string> ClientForAsync(string document)
    {
        var entry = Path.Combine(CacheRoot, "client-" + Hash(document));
        var client = Path.Combine(entry, "Client");
        if (Directory.Exists(client))
        {
            Directory.SetLastWriteTimeUtc(entry, DateTime.UtcNow);
            return client;
        }

        var restore = await ToolRestore.Value;
        if (restore.ExitCode != 0)
            throw new GeneratorUnavailableException($"Kiota could not be installed (`dotnet tool restore` exited {restore.ExitCode}): {restore.Both}");
        var staging = Directory.CreateDirectory(Path.Combine(CacheRoot, $"staging-{Guid.NewGuid():N}")).FullName;
        try
        {
            var documentPath = Path.Combine(staging, "openapi.json");
            await File.WriteAllTextAsync(documentPath, document);
            var generated = await ChildProcess.RunAsync("dotnet",
                ["tool", "run", "kiota", "generate", "--language", "CSharp", "--openapi", documentPath, "--output", Path.Combine(staging, "Client"),
                 "--namespace-name", "Did.Client", "--class-name", "DidApiClient", "--exclude-backward-compatible", "--clean-output",
                 "--log-level", "Warning"],
                RepositoryRoot, KiotaEnvironment);
            if (generated.ExitCode != 0)
                throw new GeneratorUnavailableException($"Kiota failed to generate a client (exit {generated.ExitCode}): {generated.Both}");
            Publish(staging, entry);
            return client;
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Builds the lifecycle program against the client in <paramref name="client"/>, or answers the cached outcome
    /// of the same build.</summary>
    public static async Task<ClientBuild> BuildAsync(string client)
    {
        var inputs = new StringBuilder(client);
        foreach (var file in Directory.EnumerateFiles(LifecycleProject, "*", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal))
            inputs.Append('\n').Append(Path.GetFileName(file)).Append('\n').Append(await File.ReadAllTextAsync(file));
        inputs.Append('\n').Append(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot, "dotnet-tools.json")));
        var entry = Path.Combine(CacheRoot, "build-" + Hash(inputs.ToString()));
        if (!Directory.Exists(entry))
        {
            var staging = Directory.CreateDirectory(Path.Combine(CacheRoot, $"staging-{Guid.NewGuid():N}")).FullName;
            try
            {
                var built = await ChildProcess.RunAsync("dotnet",
                    ["build", Path.Combine(LifecycleProject, "Did.ClientLifecycle.csproj"), "-nologo", "-v", "quiet", "-clp:ErrorsOnly",
                     $"-p:GeneratedClientDir={client}", "-o", Path.Combine(staging, "bin")],
                    RepositoryRoot);
                if (built.ExitCode != 0)
                {
                    Directory.Delete(Path.Combine(staging, "bin"), recursive: true);
                    await File.WriteAllTextAsync(Path.Combine(staging, "errors.txt"), ErrorLines(built.Both));
                }
                Publish(staging, entry);
            }
            finally
            {
                if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            }
        }
        Directory.SetLastWriteTimeUtc(entry, DateTime.UtcNow);
        var program = Path.Combine(entry, "bin", "Did.ClientLifecycle.dll");
        return File.Exists(program)
            ? new ClientBuild(program, "")
            : new ClientBuild(null, await File.ReadAllTextAsync(Path.Combine(entry, "errors.txt")));
    }

    /// <summary>Removes cached clients and builds that no run has used for a week.</summary>
    public static void Prune()
    {
        if (!Directory.Exists(CacheRoot)) return;
        foreach (var entry in Directory.EnumerateDirectories(CacheRoot))
            if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(entry) > KeepUnused)
                Directory.Delete(entry, recursive: true);
    }

    /// <summary>A cache entry appears whole or not at all: it is made in a staging folder and renamed into place.</summary>
    private static void Publish(string staging, string entry)
    {
        try
        {
            Directory.Move(staging, entry);
        }
        catch (IOException) when (Directory.Exists(entry))
        {
            // Another run made the same entry meanwhile: its content is the same.
        }
    }

    /// <summary>The compiler's error lines, each once (MSBuild repeats them in its summary).</summary>
    private static string ErrorLines(string output) =>
        string.Join('\n', output.Split('\n').Select(l => l.Trim()).Where(l => l.Contains("error", StringComparison.Ordinal)).Distinct());

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Did.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Did.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>The generator could not be installed or run: the generated-client test fails with this reason.</summary>
public sealed class GeneratorUnavailableException(string message) : Exception(message);
