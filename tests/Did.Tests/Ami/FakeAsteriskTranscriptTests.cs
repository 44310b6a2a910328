using System.Net.Sockets;
using System.Text;
using Did.Infrastructure.Ami;
using Did.Tests.Fakes;
using NUnit.Framework;

namespace Did.Tests.Ami;

/// <summary>Replays the client side of a recorded conversation against <see cref="FakeAsterisk"/> and compares every
/// server line with the recording, volatile values masked. Not replayed: 10/11 (GetConfig), 12 (queue events), 15
/// (Originate), 18 (CLI <c>dialplan show</c> layout): the fake does not emulate those; parts of 12 and 18 are checked
/// below.</summary>
public sealed class FakeAsteriskTranscriptTests
{
    private string _configDir = "";

    [SetUp]
    public void SetUp()
    {
        _configDir = Directory.CreateTempSubdirectory("fake-ast-").FullName;
        File.WriteAllText(Path.Combine(_configDir, "extensions_custom.conf"), Transcript.RecordedDialplan);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_configDir, recursive: true);

    [TestCase("01-banner-login-plain")]
    [TestCase("02-login-bad-secret")]
    [TestCase("03-login-md5")]
    [TestCase("04-ping")]
    [TestCase("05-command-dialplan-reload")]
    [TestCase("06-reload-pbx-config-ok")]
    [TestCase("07-reload-pbx-config-error")]
    [TestCase("08-showdialplan-context")]
    [TestCase("09-showdialplan-missing-context")]
    [TestCase("13-unknown-action")]
    [TestCase("14-logoff")]
    [TestCase("16-action-before-login")]
    [TestCase("17-login-events-off")]
    [TestCase("19-showdialplan-missing-extension")]
    [TestCase("20-command-dialplan-reload-broken-include")]
    [TestCase("21-reload-pbx-config-broken-include")]
    public async Task Fake_answers_like_the_recording(string name)
    {
        var t = Transcript.Load(name);
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        var actual = await ReplayAsync(t, ast);
        Assert.That(actual.Select(Transcript.Mask), Is.EqualTo(t.ServerLines.Select(Transcript.Mask)));
    }

    [Test]
    public async Task Fake_answers_queue_reload_and_queue_reload_all_like_the_recording()
    {
        var t = Transcript.Load("12-queue-reload");
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var raw = await RawSession.LoginAsync(ast);
        Assert.That(await raw.ActAsync("Action: QueueReload", "ActionID: a2"), Is.EqualTo(t.ResponseLines("a2")));
        Assert.That(await raw.ActAsync("Action: Command", "ActionID: a3", "Command: queue reload all"), Is.EqualTo(t.ResponseLines("a3")));
        Assert.That(ast.QueueReloads, Is.EqualTo(2));
    }

    [Test]
    public async Task Fake_answers_an_unknown_cli_command_like_the_recording()
    {
        var t = Transcript.Load("18-command-multiline-output");
        await using var ast = await FakeAsterisk.StartAsync(_configDir);
        await using var raw = await RawSession.LoginAsync(ast);
        Assert.That(await raw.ActAsync("Action: Command", "ActionID: a3", "Command: no such cli command"), Is.EqualTo(t.ResponseLines("a3")));
    }

    /// <summary>Sends each client block once the server lines before it have arrived; applies the recorder's file
    /// changes at the same point; substitutes the MD5 Key for the fake's challenge. Returns every server line until
    /// the server closes.</summary>
    private async Task<List<string>> ReplayAsync(Transcript t, FakeAsterisk ast)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(ast.Host, ast.Port);
        var stream = tcp.GetStream();
        var lines = new LineReader(stream);
        var actual = new List<string>();
        var expectedSoFar = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        async Task CatchUp()
        {
            while (actual.Count < expectedSoFar)
                actual.Add(await lines.ReadAsync(timeout.Token) ?? throw new AssertionException($"{t.Name}: server closed early; got {string.Join(" | ", actual)}"));
        }

        for (var i = 0; i < t.Lines.Count; i++)
        {
            var line = t.Lines[i];
            switch (line.Kind)
            {
                case Transcript.Kind.Server:
                    expectedSoFar++;
                    break;
                case Transcript.Kind.Note:
                    await CatchUp();
                    i = ApplyNote(t, i);
                    break;
                case Transcript.Kind.Client:
                    await CatchUp();
                    var text = line.Text.StartsWith("Key: ", StringComparison.Ordinal)
                        ? "Key: " + AmiClient.Md5Key(Challenge(actual), ast.Options.Secret)
                        : line.Text;
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(text + "\r\n"), timeout.Token);
                    break;
            }
        }
        while (await lines.ReadAsync(timeout.Token) is { } rest) actual.Add(rest);
        return actual;
    }

    private static string Challenge(List<string> lines) =>
        lines.Last(l => l.StartsWith("Challenge: ", StringComparison.Ordinal))["Challenge: ".Length..];

    /// <summary>Carries out a recorder note that changed files; returns the index of its last line.</summary>
    private int ApplyNote(Transcript t, int i)
    {
        var note = t.Lines[i].Text;
        var file = Path.Combine(_configDir, "extensions_custom.conf");
        if (note.Contains("renamed extensions_custom.conf away", StringComparison.Ordinal)) File.Delete(file);
        else if (note.Contains("restored extensions_custom.conf", StringComparison.Ordinal)) File.WriteAllText(file, Transcript.RecordedDialplan);
        else if (note.Contains("wrote extensions_custom.conf:", StringComparison.Ordinal))
        {
            var content = new StringBuilder();
            while (i + 1 < t.Lines.Count && t.Lines[i + 1] is { Kind: Transcript.Kind.Note } next && next.Text.StartsWith("#     ", StringComparison.Ordinal))
            {
                content.Append(next.Text.Length > 6 ? next.Text[6..] : "").Append('\n');
                i++;
            }
            File.WriteAllText(file, content.ToString());
        }
        return i;
    }

    /// <summary>Reads CRLF lines as text; null at end of stream.</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly List<byte> _line = [];
        private readonly byte[] _buf = new byte[4096];
        private int _pos;
        private int _len;

        public async Task<string?> ReadAsync(CancellationToken ct)
        {
            _line.Clear();
            while (true)
            {
                if (_pos == _len)
                {
                    _len = await stream.ReadAsync(_buf, ct);
                    _pos = 0;
                    if (_len == 0) return _line.Count == 0 ? null : throw new AssertionException("line cut by end of stream");
                }
                var b = _buf[_pos++];
                if (b == '\n' && _line.Count > 0 && _line[^1] == '\r')
                    return Encoding.UTF8.GetString([.. _line[..^1]]);
                _line.Add(b);
            }
        }
    }

    /// <summary>A raw logged-in connection that sends literal action lines and returns the response packet's lines
    /// (skipping events).</summary>
    private sealed class RawSession : IAsyncDisposable
    {
        private readonly TcpClient _tcp = new();
        private LineReader _lines = null!;

        public static async Task<RawSession> LoginAsync(FakeAsterisk ast)
        {
            var s = new RawSession();
            await s._tcp.ConnectAsync(ast.Host, ast.Port);
            s._lines = new LineReader(s._tcp.GetStream());
            await s._lines.ReadAsync(CancellationToken.None);
            var login = await s.ActAsync("Action: Login", "ActionID: a1", $"Username: {ast.Options.Username}", $"Secret: {ast.Options.Secret}", "Events: off");
            Assert.That(login, Does.Contain("Message: Authentication accepted"));
            return s;
        }

        public async Task<List<string>> ActAsync(params string[] action)
        {
            await _tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(string.Concat(action.Select(l => l + "\r\n")) + "\r\n"));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (true)
            {
                var packet = new List<string>();
                while (await _lines.ReadAsync(timeout.Token) is { Length: > 0 } line) packet.Add(line);
                if (packet.Count > 0 && !packet[0].StartsWith("Event:", StringComparison.Ordinal)) return packet;
            }
        }

        public ValueTask DisposeAsync()
        {
            _tcp.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
