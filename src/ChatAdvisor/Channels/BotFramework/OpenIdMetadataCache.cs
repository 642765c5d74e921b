using System.Collections;
using System.Text.Json;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>A signing key from an issuer's key set.</summary>
/// <param name="Key">The key, as the token handler verifies with it.</param>
/// <param name="Endorsements">The channel ids (msteams, webchat, …) the key may sign for, or null when the key set says nothing about it (Entra keys).</param>
public sealed record IssuerSigningKey(SecurityKey Key, IReadOnlyList<string>? Endorsements);

/// <summary>
/// One issuer's OpenID metadata and signing keys, read with <see cref="OpenIdConnectConfigurationRetriever"/> through
/// the app's HttpClient, keeping the Bot Framework's non-standard <c>endorsements</c> member of each key. Keys are
/// cached for a day; an unknown <c>kid</c> (key rollover) triggers a refresh that the request waits for, but never
/// more than once per <see cref="MinRefreshInterval"/> (or <see cref="RetryAfterFailure"/> after a failed fetch), so
/// a stream of forged tokens cannot make the bot hammer the metadata endpoint. Time is the app's
/// <see cref="TimeProvider"/>. Thread-safe.
/// </summary>
/// <remarks>
/// Not a <c>ConfigurationManager</c>: in this version its clock cannot be injected, its minimum refresh interval runs
/// on wall-clock time, and a refresh it is asked for runs in the background, so the request that met the new key
/// would be refused. The fetching and parsing are the library's; only the caching policy is ours.
/// </remarks>
public sealed class OpenIdMetadataCache(Uri metadataUrl, IHttpClientFactory httpClientFactory, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>The name of the HttpClient used for metadata and keys.</summary>
    public const string HttpClientName = "BotFramework.OpenIdMetadata";

    /// <summary>How long fetched keys are used before they are fetched again.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromHours(24);

    /// <summary>The shortest time between two fetches after a successful one.</summary>
    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromMinutes(5);

    /// <summary>The shortest time between two fetches after a failed one (an outage of the metadata endpoint).</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

    // RSA keys shorter than this are not used: the channel's and Entra's keys are 2048-bit.
    private const int MinKeySizeBits = 2048;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile IReadOnlyDictionary<string, IssuerSigningKey> _keys = new Dictionary<string, IssuerSigningKey>();
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _nextFetchAllowed = DateTimeOffset.MinValue;

    /// <summary>The metadata document this cache reads.</summary>
    public Uri MetadataUrl { get; } = metadataUrl;

    /// <summary>Finds the key <paramref name="keyId"/>, fetching the key set when it is unknown or stale (rate-limited).</summary>
    public async Task<IssuerSigningKey?> FindAsync(string keyId, CancellationToken cancellationToken = default)
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
                BotFrameworkLog.KeysFetched(logger, _keys.Count, MetadataUrl.Host);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Keep the keys we have: the keys are stable, and an outage of the metadata endpoint must not turn
                // into rejected traffic. Try again soon, but not on every request.
                _nextFetchAllowed = now + RetryAfterFailure;
                BotFrameworkLog.KeyFetchFailed(logger, MetadataUrl.Host, ex.GetType().Name);
            }
            return _keys.GetValueOrDefault(keyId);
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool IsStale(DateTimeOffset now) => now - _fetchedAt >= CacheLifetime;

    private async Task<IReadOnlyDictionary<string, IssuerSigningKey>> FetchKeysAsync(CancellationToken cancellationToken)
    {
        var retriever = new HttpClientDocumentRetriever(httpClientFactory.CreateClient(HttpClientName), requireHttps: MetadataUrl.Scheme == Uri.UriSchemeHttps);
        var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(MetadataUrl.AbsoluteUri, retriever, cancellationToken);
        if (configuration.JsonWebKeySet is not { } keySet)
            throw new InvalidDataException("The OpenID metadata has no usable jwks_uri.");

        var result = new Dictionary<string, IssuerSigningKey>(StringComparer.Ordinal);
        foreach (var key in keySet.Keys)
        {
            if (IsRsaSigningKey(key))
                result[key.Kid] = new IssuerSigningKey(key, Endorsements(key));
        }
        return result;
    }

    private static bool IsRsaSigningKey(JsonWebKey key)
        => key.Kty == JsonWebAlgorithmsKeyTypes.RSA
           && !string.IsNullOrEmpty(key.Kid)
           && !string.IsNullOrEmpty(key.N) && !string.IsNullOrEmpty(key.E)
           // A key published for encryption or for another algorithm is not a signing key for RS256 tokens.
           && (string.IsNullOrEmpty(key.Use) || key.Use == JsonWebKeyUseNames.Sig)
           && (string.IsNullOrEmpty(key.Alg) || key.Alg == SecurityAlgorithms.RsaSha256)
           && key.KeySize >= MinKeySizeBits;

    private static List<string>? Endorsements(JsonWebKey key)
    {
        if (!key.AdditionalData.TryGetValue("endorsements", out var value) || value is null)
            return null;
        // The library keeps members it does not know as JSON elements or as plain lists, depending on the version.
        IEnumerable<string?> items = value switch
        {
            JsonElement { ValueKind: JsonValueKind.Array } array => array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : null),
            string => [],
            IEnumerable list => list.Cast<object?>().Select(o => o as string),
            _ => [],
        };
        return [.. items.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!)];
    }
}
