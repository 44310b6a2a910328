using System.Runtime.CompilerServices;
using NUnit.Framework;

namespace Did.Tests.Dialplan;

/// <summary>Byte-for-byte comparison with files under tests/Did.Tests/Golden/. Run with DID_BLESS=1 to rewrite the
/// files in the source tree from the current output; that run fails on purpose so a bless is never mistaken for a pass.</summary>
internal static class Golden
{
    public static void AssertMatches(string relativePath, string actual, [CallerFilePath] string callerFile = "")
    {
        if (Environment.GetEnvironmentVariable("DID_BLESS") == "1")
        {
            var source = Path.Combine(Path.GetDirectoryName(callerFile)!, "..", "Golden", relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
            File.WriteAllText(source, actual);
            Assert.Fail($"DID_BLESS=1: wrote {source}; review the diff and run again without DID_BLESS.");
        }
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", relativePath);
        Assert.That(File.Exists(path), Is.True, $"golden file {path} is missing; create it with DID_BLESS=1");
        var expected = File.ReadAllText(path);
        if (expected == actual) return;
        var line = FirstDifferentLine(expected, actual);
        Assert.Fail($"{relativePath} differs from the golden file at line {line.Number}:\n expected: {line.Expected}\n   actual: {line.Actual}\n(re-bless with DID_BLESS=1 if the change is intended)");
    }

    private static (int Number, string Expected, string Actual) FirstDifferentLine(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end of file>";
            var al = i < a.Length ? a[i] : "<end of file>";
            if (el != al) return (i + 1, el, al);
        }
        return (0, "", "");
    }
}
