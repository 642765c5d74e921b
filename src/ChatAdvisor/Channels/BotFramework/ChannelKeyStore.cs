using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>A channel signing key with the channel ids it is endorsed for.</summary>
/// <param name="KeyId">The JWKS <c>kid</c>.</param>
/// <param name="Key">The RSA public key.</param>
/// <param name="Endorsements">Channel ids (msteams, webchat, …) the key may sign for.</param>
public sealed record ChannelSigningKey(string KeyId, RSA Key, IReadOnlyList<string> Endorsements);

/// <summary>
/// The channel's signing keys: read from <c>BotFramework:OpenIdMetadataUrl</c> → <c>jwks_uri</c>, keeping the
/// non-standard <c>endorsements</c> member of each key. Keys are cached for a day; an unknown <c>kid</c> (key
/// rollover) triggers a refresh, but never more than once per <see cref="MinRefreshInterval"/> (or
/// <see cref="RetryAfterFailure"/> after a failed fetch), so a stream of forged tokens cannot make the bot hammer
/// the metadata endpoint. Thread-safe; registered as a singleton.
/// </summary>
public sealed class ChannelKeyStore(
    IHttpClientFactory httpClientFactory,
    IOptions<BotFrameworkOptions> options,
    TimeProvider timeProvider,
    ILogger<ChannelKeyStore> logger)
{
    /// <summary>The name of the HttpClient used for metadata and keys.</summary>
    public const string HttpClientName = "BotFramework.OpenIdMetadata";

    /// <summary>How long fetched keys are used before they are fetched again.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromHours(24);

    /// <summary>The shortest time between two fetches after a successful one.</summary>
    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromMinutes(5);

    /// <summary>The shortest time between two fetches after a failed one (an outage of the metadata endpoint).</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

    // RSA keys shorter than this are refused: the channel's keys are 2048-bit.
    private const int MinKeySizeBits = 2048;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile IReadOnlyDictionary<string, ChannelSigningKey> _keys = new Dictionary<string, ChannelSigningKey>();
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _nextFetchAllowed = DateTimeOffset.MinValue;

    /// <summary>Finds the key <paramref name="keyId"/>, fetching the key set when it is unknown or stale (rate-limited).</summary>
    public async Task<ChannelSigningKey?> FindAsync(string keyId, CancellationToken cancellationToken = default)
    {
        if (_keys.TryGetValue(keyId, out var cached) && !IsStale(timeProvider.GetUtcNow()))
            return cached;

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = timeProvider.GetUtcNow();
            var found = _keys.TryGetValue(keyId, out cached);
            if (found && !IsStale(now))
                return cached;
            if (now < _nextFetchAllowed)
            {
                BotFrameworkLog.KeyRefreshSkipped(logger, keyId);
                return cached;
            }

            try
            {
                _keys = await FetchKeysAsync(cancellationToken);
                _fetchedAt = now;
                _nextFetchAllowed = now + MinRefreshInterval;
                BotFrameworkLog.KeysFetched(logger, _keys.Count);
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidDataException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Keep the keys we have: the channel's keys are stable, and an outage of the metadata endpoint
                // must not turn into rejected traffic. Try again soon, but not on every request.
                _nextFetchAllowed = now + RetryAfterFailure;
                BotFrameworkLog.KeyFetchFailed(logger, ex.GetType().Name);
            }
            return _keys.GetValueOrDefault(keyId);
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool IsStale(DateTimeOffset now) => now - _fetchedAt >= CacheLifetime;

    private async Task<IReadOnlyDictionary<string, ChannelSigningKey>> FetchKeysAsync(CancellationToken cancellationToken)
    {
        var client = httpClientFactory.CreateClient(HttpClientName);
        var metadataUrl = new Uri(options.Value.OpenIdMetadataUrl, UriKind.Absolute);

        using var metadata = await GetJsonAsync(client, metadataUrl, cancellationToken);
        if (!metadata.RootElement.TryGetProperty("jwks_uri", out var jwksUriElement)
            || jwksUriElement.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(jwksUriElement.GetString(), UriKind.Absolute, out var jwksUri)
            || (jwksUri.Scheme != Uri.UriSchemeHttps && jwksUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidDataException("The OpenID metadata has no usable jwks_uri.");
        }

        using var jwks = await GetJsonAsync(client, jwksUri, cancellationToken);
        if (!jwks.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException("The key set has no keys array.");

        var result = new Dictionary<string, ChannelSigningKey>(StringComparer.Ordinal);
        foreach (var key in keys.EnumerateArray())
        {
            if (ReadKey(key) is { } signingKey)
                result[signingKey.KeyId] = signingKey;
        }
        return result;
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient client, Uri url, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(url, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
    }

    private static ChannelSigningKey? ReadKey(JsonElement key)
    {
        if (key.ValueKind != JsonValueKind.Object
            || GetString(key, "kty") != "RSA"
            || GetString(key, "kid") is not { Length: > 0 } kid
            || GetString(key, "n") is not { Length: > 0 } n
            || GetString(key, "e") is not { Length: > 0 } e)
        {
            return null;
        }
        // A key published for encryption or for another algorithm is not a signing key for RS256 tokens.
        if (GetString(key, "use") is { } use && use != "sig")
            return null;
        if (GetString(key, "alg") is { } alg && alg != "RS256")
            return null;

        byte[] modulus, exponent;
        try
        {
            modulus = Base64Url.DecodeFromChars(n);
            exponent = Base64Url.DecodeFromChars(e);
        }
        catch (FormatException)
        {
            return null;
        }
        if (modulus.Length * 8 < MinKeySizeBits)
            return null;

        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = exponent });

        var endorsements = new List<string>();
        if (key.TryGetProperty("endorsements", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } channel)
                    endorsements.Add(channel);
            }
        }
        return new ChannelSigningKey(kid, rsa, endorsements);
    }

    private static string? GetString(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
