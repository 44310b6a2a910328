using System.Diagnostics;
using System.Runtime.Versioning;
using Npgsql;
using NUnit.Framework;

namespace Did.Tests.Scripts;

/// <summary>scripts/pg.sh, which provisions the PostgreSQL clusters of run.sh, test.sh and the benches: a local account
/// that does not know the superuser's password must not get in. Each test makes a throwaway cluster of its own.</summary>
[SupportedOSPlatform("linux")]
public sealed class PgClusterTests
{
    private string _dir = null!;
    private string _noPassword = null!;

    [SetUp]
    public void NewClusterFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"did-pg-{Guid.NewGuid():N}");
        _noPassword = "Passfile=" + Path.GetTempFileName(); // an empty password file: no password to offer
    }

    [TearDown]
    public async Task RemoveClusterAsync()
    {
        await BashAsync("""source "$PG_SH"; pg_stop "$1" """, _dir);
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
        File.Delete(_noPassword["Passfile=".Length..]);
    }

    [Test]
    public async Task A_cluster_it_makes_refuses_connections_without_the_password()
    {
        var port = await ProvisionAsync();

        var noPassword = Assert.CatchAsync<NpgsqlException>(() => QueryUserAsync(port, _noPassword));
        Assert.That(noPassword!.Message, Does.Contain("requires one"), "the server asked for no password");
        var guessed = Assert.CatchAsync<PostgresException>(() => QueryUserAsync(port, "Password=postgres"));
        Assert.That(guessed!.SqlState, Is.EqualTo(PostgresErrorCodes.InvalidPassword));
        Assert.That(await QueryUserAsync(port, $"Passfile={_dir}/pgpass"), Is.EqualTo("postgres"));
        Assert.That(File.GetUnixFileMode(Path.Combine(_dir, "pgpass")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public async Task A_cluster_left_trusting_local_connections_is_switched_to_the_password_and_keeps_its_data()
    {
        // A cluster as the previous pg.sh made it: initdb -A trust.
        var made = await BashAsync("""
            source "$PG_SH"
            bin="$(pg_bindir)"; d="$1"
            mkdir -p "$d"
            if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$d"; chmod 700 "$d"; fi
            pg_as_owner mkdir -p "$d/cluster" "$d/sock"
            pg_as_owner "$bin/initdb" -D "$d/cluster" -A trust -U postgres -E UTF8 >/dev/null
            port="$(pg_free_port)"; echo "$port" >"$d/port"
            pg_as_owner "$bin/pg_ctl" -D "$d/cluster" -l "$d/cluster/server.log" -w -t 60 \
              -o "-p $port -k $d/sock -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
            echo "$port"
            """, _dir);
        Assert.That(made.ExitCode, Is.EqualTo(0), made.Error);
        var port = int.Parse(made.Output.Trim());
        Assert.That(await QueryUserAsync(port, _noPassword), Is.EqualTo("postgres"),
            "the old cluster let anyone in as the superuser");
        await ExecuteAsync(port, _noPassword, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)");

        var provisioned = await BashAsync("""source "$PG_SH"; pg_provision "$1"; echo "$PG_PORT" """, _dir);

        Assert.That(provisioned.ExitCode, Is.EqualTo(0), provisioned.Error);
        Assert.That(provisioned.Error, Does.Contain("now requires the password kept in"));
        Assert.That(int.Parse(provisioned.Output.Trim()), Is.EqualTo(port));
        Assert.CatchAsync<NpgsqlException>(() => QueryUserAsync(port, _noPassword));
        Assert.That(await ExecuteAsync(port, $"Passfile={_dir}/pgpass", "SELECT id FROM kept"), Is.EqualTo(42));
    }

    [Test]
    public async Task A_cluster_whose_password_file_is_gone_is_refused_with_what_to_do()
    {
        await ProvisionAsync();
        await BashAsync("""source "$PG_SH"; pg_stop "$1"; rm "$1/pgpass" """, _dir);

        var again = await BashAsync("""source "$PG_SH"; pg_provision "$1" """, _dir);

        Assert.That(again.ExitCode, Is.Not.EqualTo(0));
        Assert.That(again.Error.Trim(), Does.EndWith("restore that file, or stop the cluster and delete " + _dir + " to start afresh (its data is lost)."));
    }

    private async Task<int> ProvisionAsync()
    {
        var result = await BashAsync("""source "$PG_SH"; pg_provision "$1"; echo "$PG_PORT" """, _dir);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.Error);
        return int.Parse(result.Output.Trim());
    }

    private static async Task<string> QueryUserAsync(int port, string credentials)
    {
        await using var conn = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;{credentials}");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT current_user", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<object?> ExecuteAsync(int port, string credentials, string sql)
    {
        await using var conn = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;{credentials}");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }

    private sealed record BashResult(int ExitCode, string Output, string Error);

    /// <summary>Runs a bash script with <c>$PG_SH</c> naming scripts/pg.sh and <c>$1</c> the given argument.</summary>
    private static async Task<BashResult> BashAsync(string script, string argument)
    {
        var start = new ProcessStartInfo("bash", ["-c", script, "bash", argument])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["PG_SH"] = PgScript, ["PG_FSYNC"] = "off", ["PG_SYNC_COMMIT"] = "off" },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new BashResult(process.ExitCode, await output, await error);
    }

    private static string PgScript { get; } = FindPgScript();

    private static string FindPgScript()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "scripts", "pg.sh");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("scripts/pg.sh was not found above the test directory.");
    }
}
