using Did.Infrastructure.Ami;
using Microsoft.Extensions.Options;

namespace Did.Features.Apply;

/// <summary>One switch that receives the dialplan: where its include files live, where their backups go, and how to
/// reach its AMI (null: AMI off, files are written and the reload is reported SKIPPED).</summary>
public sealed record AsteriskNode(string Name, string ConfigDir, string BackupDir, AmiSessionFactory? Ami)
{
    public string ExtensionsPath => Path.Combine(ConfigDir, Dialplan.DialplanRenderer.ExtensionsFileName);
    public string QueuesPath => Path.Combine(ConfigDir, Dialplan.DialplanRenderer.QueuesFileName);

    /// <summary>What this process last deployed and verified on the node (kept for the node's lifetime, like its AMI
    /// circuit breaker): what a live delta starts from.</summary>
    public NodeLiveState Live { get; } = new();
}

/// <summary>The nodes from configuration: <c>Asterisk:Nodes:0:ConfigDir</c>, <c>Asterisk:Nodes:0:Ami:Host</c>, ...
/// or a single node from <c>Asterisk:ConfigDir</c> / <c>Asterisk:Ami:*</c>. Built once, so each node keeps its AMI
/// circuit breaker across applies.</summary>
public sealed class AsteriskNodes(IConfiguration config, ILoggerFactory loggers)
{
    private IReadOnlyList<AsteriskNode>? _nodes;

    /// <summary>Built on first use (a configuration error is reported to the caller, not cached as a crash).</summary>
    public IReadOnlyList<AsteriskNode> All => _nodes ??= Build(config.GetSection("Asterisk"), loggers);

    /// <summary>The nodes, or none when Apply is not configured (or its configuration is refused): for what only reports
    /// on nodes (metrics, the drift schedule), where a configuration error is not this caller's to report.</summary>
    public IReadOnlyList<AsteriskNode> AllOrNone
    {
        get
        {
            try
            {
                return All;
            }
            catch (Exception e) when (e is Infrastructure.Errors.ProblemException or InvalidOperationException)
            {
                return [];
            }
        }
    }

    private static IReadOnlyList<AsteriskNode> Build(IConfigurationSection asterisk, ILoggerFactory loggers)
    {
        var sections = asterisk.GetSection("Nodes").GetChildren().ToList();
        if (sections.Count == 0) sections = [asterisk];
        var nodes = sections.Select((s, i) =>
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
                ami = new AmiSessionFactory(Options.Create(options), loggers, NodeName(sections.Count, i));
            }
            return new AsteriskNode(NodeName(sections.Count, i), configDir, backupDir, ami);
        }).ToList();
        CheckFoldersAreDistinct(sections, nodes);
        return nodes;
    }

    private static string NodeName(int nodes, int index) => nodes == 1 ? "asterisk" : $"node{index}";

    /// <summary>Every node's ConfigDir and BackupDir must be folders of their own: backups are pruned by name in the backup
    /// folder and carry no node name, so a backup folder that is a config folder (its own node's or another's) or is
    /// shared by two nodes would have live files or another node's backups pruned, overwritten or restored in the wrong
    /// place. Compared as folders (device and inode), so two paths to one folder are caught too.</summary>
    private static void CheckFoldersAreDistinct(List<IConfigurationSection> sections, List<AsteriskNode> nodes)
    {
        var seen = new List<(string Key, string Path, Infrastructure.Files.FileStatus? Status)>();
        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var (key, path) in new[] { ($"{sections[i].Path}:ConfigDir", nodes[i].ConfigDir), ($"{sections[i].Path}:BackupDir", nodes[i].BackupDir) })
            {
                var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
                var status = Infrastructure.Files.FileStatus.Of(full);
                foreach (var other in seen)
                {
                    var same = status is not null && other.Status is not null ? status.IsSameFileAs(other.Status) : full == other.Path;
                    if (same)
                        throw new InvalidOperationException(
                            $"{key} and {other.Key} are the same folder ({path}): give each node's backups a folder of their own, apart from every config folder (env {key.Replace(":", "__")}).");
                }
                seen.Add((key, full, status));
            }
        }
    }
}
