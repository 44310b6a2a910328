using System.Security.Cryptography;
using System.Text;
using Did.Dialplan;

namespace Did.Tests.Dialplan;

/// <summary>Reads the header of a generated file the way an operator would check it by hand: the SHA-256 the header
/// declares, and the SHA-256 the body really has.</summary>
internal static class GeneratedHeader
{
    private const string HashPrefix = "; sha256 of body: ";

    /// <summary>False when the text has no header of ours.</summary>
    public static bool TryReadHashes(string fileText, out string declared, out string actual)
    {
        declared = actual = "";
        var end = fileText.IndexOf(FileHeader.EndLine + "\n", StringComparison.Ordinal);
        var at = fileText.IndexOf(HashPrefix, StringComparison.Ordinal);
        if (end < 0 || at < 0 || at > end) return false;
        var lineEnd = fileText.IndexOf('\n', at);
        declared = fileText[(at + HashPrefix.Length)..lineEnd];
        var body = Encoding.UTF8.GetBytes(fileText[(end + FileHeader.EndLine.Length + 1)..]);
        actual = Convert.ToHexStringLower(SHA256.HashData(body));
        return true;
    }
}
