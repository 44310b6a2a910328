using System.Diagnostics;

namespace Did.Tests.GeneratedClient;

public sealed record ChildProcessResult(int ExitCode, string Output, string Error)
{
    public string Both => $"{Output}{Error}".Trim();
}

/// <summary>Runs a program to its end and keeps what it printed. The child does not inherit the MSBuild variables that
/// <c>dotnet test</c> sets for its own build, which would point a nested <c>dotnet build</c> at the wrong SDK parts.</summary>
public static class ChildProcess
{
    /// <summary>Only so that a hung child fails the test instead of holding the suite; no result depends on it.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    public static async Task<ChildProcessResult> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} ran for more than {Limit.TotalMinutes} minutes.");
        }
        return new ChildProcessResult(process.ExitCode, await output, await error);
    }
}
