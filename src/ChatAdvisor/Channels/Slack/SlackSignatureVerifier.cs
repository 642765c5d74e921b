using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.Slack;

/// <summary>The outcome of checking a request's Slack signature.</summary>
public enum SlackSignatureStatus
{
    /// <summary>Signed with our secret within the replay window.</summary>
    Valid,
    /// <summary>No signing secret is configured, so nothing can be verified.</summary>
    NotConfigured,
    /// <summary>X-Slack-Signature or X-Slack-Request-Timestamp is missing.</summary>
    MissingHeaders,
    /// <summary>The timestamp is not a whole number of seconds.</summary>
    MalformedTimestamp,
    /// <summary>The timestamp is more than the replay window away from now (stale or in the future).</summary>
    OutsideWindow,
    /// <summary>The signature is not a v0 signature of this body and timestamp with our secret.</summary>
    Mismatch,
}

/// <summary>
/// Checks Slack's v0 request signatures: <c>v0=hex(HMAC-SHA256(secret, "v0:{timestamp}:{raw body}"))</c>, compared in
/// constant time, with the timestamp within <see cref="ReplayWindow"/> of now in either direction. Thread-safe.
/// </summary>
public sealed class SlackSignatureVerifier(IOptions<SlackOptions> options, TimeProvider timeProvider)
{
    /// <summary>How far a request's timestamp may be from now. Slack's documented window; bolt rejects only the past side,
    /// we reject both so a leaked request with a future timestamp cannot be replayed later.</summary>
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(5);

    private const string Version = "v0";

    /// <summary>Checks <paramref name="signature"/> (X-Slack-Signature) and <paramref name="timestamp"/> (X-Slack-Request-Timestamp) against the raw body.</summary>
    public SlackSignatureStatus Verify(string? timestamp, string? signature, ReadOnlySpan<byte> body)
    {
        var secret = options.Value.SigningSecret;
        if (string.IsNullOrEmpty(secret))
            return SlackSignatureStatus.NotConfigured;
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
            return SlackSignatureStatus.MissingHeaders;
        // Only the canonical form ("1712345678"): the signature covers the header's exact text, and verifiers that
        // sign the parsed number (bolt does) would disagree with us on "01712345678".
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds.ToString(CultureInfo.InvariantCulture) != timestamp)
            return SlackSignatureStatus.MalformedTimestamp;

        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - seconds) > (long)ReplayWindow.TotalSeconds)
            return SlackSignatureStatus.OutsideWindow;

        var expected = Compute(secret, timestamp, body);
        // Compare the ASCII bytes in constant time; a length difference is not a secret.
        var given = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given) ? SlackSignatureStatus.Valid : SlackSignatureStatus.Mismatch;
    }

    /// <summary>The X-Slack-Signature value Slack sends for <paramref name="body"/> at <paramref name="timestamp"/>, as ASCII bytes.</summary>
    public static byte[] Compute(string secret, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{Version}:{timestamp}:");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        return Encoding.ASCII.GetBytes($"{Version}={Convert.ToHexStringLower(hmac.GetHashAndReset())}");
    }

    /// <summary>The X-Slack-Signature header value for <paramref name="body"/> at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, string timestamp, ReadOnlySpan<byte> body)
        => Encoding.ASCII.GetString(Compute(secret, timestamp, body));
}
