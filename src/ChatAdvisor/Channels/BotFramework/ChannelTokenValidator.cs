using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>The outcome of checking an inbound channel token.</summary>
/// <param name="Failure">Why the token was refused (for the log, never for the caller), or null when it is valid.</param>
public readonly record struct TokenCheck(string? Failure)
{
    public bool IsValid => Failure is null;

    public static TokenCheck Valid => new(null);

    public static TokenCheck Fail(string reason) => new(reason);
}

/// <summary>
/// Validates the <c>Authorization: Bearer</c> JWT the Bot Connector sends with every activity, written on the
/// base library's cryptography (the identity-model packages available to us carry a security advisory).
/// The checks, all required: RS256 only (no <c>none</c>, no HMAC, no other RSA variant); a <c>kid</c> that names a
/// key from the channel's key set; a valid signature; issuer <c>https://api.botframework.com</c>; audience = the
/// bot's App ID; <c>exp</c> present and <c>nbf</c> respected with five minutes' clock skew; the <c>serviceurl</c>
/// claim equal to the activity's serviceUrl (so a token cannot be replayed to make the bot send its own token
/// elsewhere); the signing key endorsed for the activity's channelId. Thread-safe.
/// </summary>
public sealed class ChannelTokenValidator(ChannelKeyStore keys, IOptions<BotFrameworkOptions> options, TimeProvider timeProvider)
{
    /// <summary>The issuer of Bot Connector tokens in the public cloud.</summary>
    public const string Issuer = "https://api.botframework.com";

    /// <summary>The tolerated difference between the channel's clock and ours.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    // Real tokens are about 1–2 KB; anything far larger is not worth parsing.
    private const int MaxTokenLength = 16 * 1024;

    /// <summary>Checks the Authorization header value <paramref name="authorization"/> for <paramref name="activity"/>.</summary>
    public async Task<TokenCheck> ValidateAsync(string? authorization, Activity activity, CancellationToken cancellationToken = default)
    {
        const string scheme = "Bearer ";
        if (string.IsNullOrEmpty(authorization) || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return TokenCheck.Fail("no bearer token");
        var token = authorization[scheme.Length..].Trim();
        if (token.Length == 0 || token.Length > MaxTokenLength)
            return TokenCheck.Fail("token empty or too long");

        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
            return TokenCheck.Fail("not a signed JWT");

        using var header = ParseSegment(parts[0]);
        using var payload = ParseSegment(parts[1]);
        var signature = Decode(parts[2]);
        if (header is null || payload is null || signature is null)
            return TokenCheck.Fail("malformed JWT");

        // The algorithm is fixed by us, not taken from the token: this is what stops alg=none and
        // HS256-with-the-public-key forgeries.
        if (GetString(header.RootElement, "alg") != "RS256")
            return TokenCheck.Fail("algorithm not RS256");
        if (header.RootElement.TryGetProperty("crit", out _))
            return TokenCheck.Fail("critical header extensions not supported");
        if (GetString(header.RootElement, "kid") is not { Length: > 0 } keyId)
            return TokenCheck.Fail("no kid");

        var key = await keys.FindAsync(keyId, cancellationToken);
        if (key is null)
            return TokenCheck.Fail("unknown kid");

        var signedBytes = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!key.Key.VerifyData(signedBytes, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            return TokenCheck.Fail("bad signature");

        var claims = payload.RootElement;
        if (claims.ValueKind != JsonValueKind.Object)
            return TokenCheck.Fail("payload is not an object");
        if (GetString(claims, "iss") != Issuer)
            return TokenCheck.Fail("wrong issuer");
        if (!HasAudience(claims, options.Value.AppId))
            return TokenCheck.Fail("wrong audience");

        var now = timeProvider.GetUtcNow();
        if (GetTime(claims, "exp") is not { } expires)
            return TokenCheck.Fail("no exp");
        if (now > expires + ClockSkew)
            return TokenCheck.Fail("expired");
        if (claims.TryGetProperty("nbf", out _))
        {
            if (GetTime(claims, "nbf") is not { } notBefore)
                return TokenCheck.Fail("malformed nbf");
            if (now + ClockSkew < notBefore)
                return TokenCheck.Fail("not yet valid");
        }

        if (GetString(claims, "serviceurl") is not { Length: > 0 } serviceUrl
            || !string.Equals(serviceUrl, activity.ServiceUrl, StringComparison.OrdinalIgnoreCase))
        {
            return TokenCheck.Fail("serviceurl claim does not match the activity");
        }

        if (string.IsNullOrEmpty(activity.ChannelId) || !key.Endorsements.Contains(activity.ChannelId, StringComparer.Ordinal))
            return TokenCheck.Fail("key not endorsed for the channel");

        return TokenCheck.Valid;
    }

    private static bool HasAudience(JsonElement claims, string appId)
    {
        if (!claims.TryGetProperty("aud", out var aud))
            return false;
        return aud.ValueKind switch
        {
            JsonValueKind.String => string.Equals(aud.GetString(), appId, StringComparison.Ordinal),
            JsonValueKind.Array => aud.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && string.Equals(a.GetString(), appId, StringComparison.Ordinal)),
            _ => false,
        };
    }

    private static DateTimeOffset? GetTime(JsonElement claims, string name)
    {
        if (!claims.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds))
            return null;
        if (double.IsNaN(seconds) || seconds < 0 || seconds > 253402300799) // year 9999
            return null;
        return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
    }

    private static string? GetString(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static JsonDocument? ParseSegment(string segment)
    {
        if (Decode(segment) is not { } bytes)
            return null;
        try
        {
            var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
                return document;
            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[]? Decode(string segment)
    {
        try
        {
            return Base64Url.DecodeFromChars(segment);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
