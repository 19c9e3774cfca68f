using System.Security.Cryptography;
using System.Text;

namespace XNovu.Api.Authentication;

/// <summary>
/// Enterprise API keys: <c>xnk_{prefix}_{secret}</c>. The prefix finds the row and is shown in listings;
/// only the SHA-256 of the whole key is stored. Keys carry 256 random bits, so a fast hash is enough.
/// </summary>
public static class ApiKeys
{
    private const string Scheme = "xnk";
    private const int PrefixLength = 12;

    public static (string Key, string Prefix, byte[] Hash) Generate()
    {
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PrefixLength / 2));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var key = $"{Scheme}_{prefix}_{secret}";
        return (key, prefix, Hash(key));
    }

    public static bool TryGetPrefix(string key, out string prefix)
    {
        prefix = string.Empty;
        var parts = key.Split('_', 3);
        if (parts.Length != 3 || parts[0] != Scheme || parts[1].Length != PrefixLength || parts[2].Length < 16)
        {
            return false;
        }

        prefix = parts[1];
        return true;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool Matches(string key, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(key), storedHash);

    /// <summary>Compares two secrets without leaking, through timing, how much of them matched.</summary>
    public static bool SecretEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
