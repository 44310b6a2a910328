using Did.Infrastructure.Ami;
using Microsoft.Extensions.Options;

namespace Did.Features.Apply;

/// <summary>One switch that receives the dialplan: where its include files live, where their backups go, and how to
/// reach its AMI (null: AMI off, files are written and the reload is reported SKIPPED).</summary>
public sealed record AsteriskNode(string Name, string ConfigDir, string BackupDir, AmiSessionFactory? Ami)
{
    public string ExtensionsPath => Path.Combine(ConfigDir, Dialplan.DialplanRenderer.ExtensionsFileName);
    public string QueuesPath => Path.Combine(ConfigDir, Dialplan.DialplanRenderer.QueuesFileName);
}

public sealed class ApplyOptions
{
    /// <summary>How long a second apply waits for the running one before it gets a 409.</summary>
    public int LockWaitSeconds { get; set; } = 10;
    /// <summary>Backups kept per file and node; older ones are deleted.</summary>
    public int BackupsToKeep { get; set; } = 10;
    /// <summary>Where the dialplan is rendered once before it is copied to every node.</summary>
    public string? WorkDir { get; set; }
    /// <summary>Parallel AMI connections used to verify a big dialplan after the reload.</summary>
    public int VerifyConnections { get; set; } = 2;
    /// <summary>Run the apply pipeline once on a small synthetic dialplan after start-up, so the first real apply does not
    /// pay for compiling it.</summary>
    public bool WarmUp { get; set; } = true;
}

/// <summary>The nodes from configuration: <c>Asterisk:Nodes:0:ConfigDir</c>, <c>Asterisk:Nodes:0:Ami:Host</c>, ...
/// or a single node from <c>Asterisk:ConfigDir</c> / <c>Asterisk:Ami:*</c>. Built once, so each node keeps its AMI
/// circuit breaker across applies.</summary>
public sealed class AsteriskNodes(IConfiguration config, ILoggerFactory loggers)
{
    private IReadOnlyList<AsteriskNode>? _nodes;

    /// <summary>Built on first use (a configuration error is reported to the caller, not cached as a crash).</summary>
    public IReadOnlyList<AsteriskNode> All => _nodes ??= Build(config.GetSection("Asterisk"), loggers);

    private static IReadOnlyList<AsteriskNode> Build(IConfigurationSection asterisk, ILoggerFactory loggers)
    {
        var sections = asterisk.GetSection("Nodes").GetChildren().ToList();
        if (sections.Count == 0) sections = [asterisk];
        return sections.Select((s, i) =>
        {
            var configDir = s["ConfigDir"];
            if (string.IsNullOrWhiteSpace(configDir))
                throw new Infrastructure.Errors.ProblemException(StatusCodes.Status503ServiceUnavailable, "Apply is not configured",
                    $"{s.Path}:ConfigDir is not configured: Apply needs to know where to write the dialplan (env {s.Path.Replace(":", "__")}__ConfigDir).");
            var backupDir = s["BackupDir"] is { Length: > 0 } b ? b : Path.Combine(configDir, "backup");
            AmiSessionFactory? ami = null;
            if (!string.IsNullOrWhiteSpace(s["Ami:Host"]))
            {
                var options = new AmiOptions();
                s.GetSection("Ami").Bind(options);
                ami = new AmiSessionFactory(Options.Create(options), loggers);
            }
            return new AsteriskNode(sections.Count == 1 ? "asterisk" : $"node{i}", configDir, backupDir, ami);
        }).ToList();
    }
}
