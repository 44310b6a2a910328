using NUnit.Framework;
using System.Text;

namespace Did.Tests.Ami;

/// <summary>One recorded AMI conversation from <c>tests/Did.Tests/Transcripts</c>: <c>NN-name.txt</c> (C:/S:/# lines)
/// and <c>NN-name.server.bin</c> (the server's bytes).</summary>
public sealed record Transcript(string Name, IReadOnlyList<Transcript.Line> Lines, byte[] ServerBytes)
{
    public enum Kind { Client, Server, Note }

    public sealed record Line(Kind Kind, string Text);

    /// <summary>The dialplan Asterisk had loaded during the recordings (README).</summary>
    public const string RecordedDialplan = """
        [from-trunk-external]
        exten => +15551234567,1,Goto(tenant-acme,1001,1)
        exten => +15557654321,1,Goto(tenant-acme-ivr-main,s,1)
        exten => _+X.,1,Congestion()

        [tenant-acme]
        exten => 1001,1,Dial(PJSIP/acme-1001,30)
         same => n,VoiceMail(1001@tenant-acme)
         same => n,Hangup()

        [tenant-acme-ivr-main]
        exten => s,1,Answer()
         same => n,Background(custom/acme-welcome)
         same => n,WaitExten(5)
        exten => 1,1,Goto(tenant-acme,1001,1)
        exten => t,1,Hangup()
        exten => i,1,Hangup()

        """;

    /// <summary>Values that change on every run (README), compared as <c>*</c>.</summary>
    public static readonly IReadOnlySet<string> VolatileKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Challenge", "Key", "Timestamp", "EventTV", "SessionTV", "SessionID", "Uptime", "LastReload", "LoginTime",
        "Uniqueid", "Linkedid",
    };

    public IEnumerable<string> ServerLines => Lines.Where(l => l.Kind == Kind.Server).Select(l => l.Text);

    /// <summary>The folder of transcripts, copied into the test output from <c>tests/Did.Tests/Transcripts</c>. Fails the
    /// test (never skips) when it is missing.</summary>
    public static string Folder
    {
        get
        {
            var folder = Path.Combine(AppContext.BaseDirectory, "Transcripts");
            if (!Directory.Exists(folder)) Assert.Fail($"AMI transcripts not found at {folder}: they are copied from tests/Did.Tests/Transcripts at build.");
            return folder;
        }
    }

    public static IEnumerable<string> Names()
    {
        string folder;
        try
        {
            folder = Folder;
        }
        catch (AssertionException)
        {
            // Let the test itself fail with the message instead of producing no cases at all.
            return ["(transcripts missing)"];
        }
        return Directory.GetFiles(folder, "*.txt").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;
    }

    public static Transcript Load(string name)
    {
        var folder = Folder;
        var txt = Path.Combine(folder, name + ".txt");
        if (!File.Exists(txt)) Assert.Fail($"Transcript {txt} is missing.");
        var lines = new List<Line>();
        foreach (var raw in File.ReadAllText(txt, Encoding.ASCII).Split('\n'))
        {
            if (raw.StartsWith("C:", StringComparison.Ordinal)) lines.Add(new(Kind.Client, raw.Length > 2 ? raw[3..] : ""));
            else if (raw.StartsWith("S:", StringComparison.Ordinal)) lines.Add(new(Kind.Server, raw.Length > 2 ? raw[3..] : ""));
            else if (raw.StartsWith('#')) lines.Add(new(Kind.Note, raw));
        }
        return new(name, lines, File.ReadAllBytes(Path.Combine(folder, name + ".server.bin")));
    }

    /// <summary>Splits server lines (banner first) into packets of (key, value), by the README's rules, independently of
    /// the reader under test.</summary>
    public IReadOnlyList<IReadOnlyList<KeyValuePair<string, string>>> ExpectedPackets()
    {
        var packets = new List<IReadOnlyList<KeyValuePair<string, string>>>();
        var current = new List<KeyValuePair<string, string>>();
        foreach (var line in ServerLines.Skip(1))
        {
            if (line.Length == 0)
            {
                packets.Add(current);
                current = [];
                continue;
            }
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            current.Add(new(line[..colon], line[(colon + 2)..]));
        }
        Assert.That(current, Is.Empty, $"{Name}: the server lines end in the middle of a packet");
        return packets;
    }

    /// <summary>The lines of the response packet (not an event) carrying <paramref name="actionId"/>.</summary>
    public IReadOnlyList<string> ResponseLines(string actionId)
    {
        var packet = new List<string>();
        foreach (var line in ServerLines.Skip(1))
        {
            if (line.Length > 0)
            {
                packet.Add(line);
                continue;
            }
            if (packet.Contains($"ActionID: {actionId}") && !packet[0].StartsWith("Event:", StringComparison.Ordinal))
                return packet;
            packet = [];
        }
        Assert.Fail($"{Name}: no response with ActionID {actionId}");
        return [];
    }

    /// <summary>A line with volatile values blanked (and the ports of addresses, which differ per run/server).</summary>
    public static string Mask(string line)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (colon <= 0) return line;
        var key = line[..colon];
        if (VolatileKeys.Contains(key)) return key + ": *";
        if (key is "LocalAddress" or "RemoteAddress") return line[..(line.LastIndexOf('/') + 1)] + "*";
        return line;
    }
}
