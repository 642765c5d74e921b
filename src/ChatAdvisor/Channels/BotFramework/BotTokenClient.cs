using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>The token endpoint refused or failed a request; the message holds no secret.</summary>
public sealed class BotTokenException(string message) : Exception(message);

/// <summary>
/// Gets the bot's outbound token for the Bot Connector: OAuth client credentials against
/// <c>BotFramework:TokenEndpoint</c> (by default Entra's endpoint for <c>botframework.com</c>, or for
/// <c>BotFramework:TenantId</c> when the bot is single-tenant) with scope <c>https://api.botframework.com/.default</c>.
/// The token is cached until shortly before it expires. The password goes only into the form body of that one
/// request and never into a log or an exception. Thread-safe; registered as a singleton.
/// </summary>
public sealed class BotTokenClient(
    IHttpClientFactory httpClientFactory,
    IOptions<BotFrameworkOptions> options,
    TimeProvider timeProvider,
    ILogger<BotTokenClient> logger)
{
    /// <summary>The name of the HttpClient used for the token endpoint.</summary>
    public const string HttpClientName = "BotFramework.Token";

    /// <summary>The scope of tokens for the Bot Connector.</summary>
    public const string Scope = "https://api.botframework.com/.default";

    // Renew this long before the token expires, so a token never runs out during a send.
    private static readonly TimeSpan RenewBeforeExpiry = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _token;
    private DateTimeOffset _renewAt = DateTimeOffset.MinValue;

    /// <summary>A valid access token, from the cache or fresh from the token endpoint.</summary>
    /// <exception cref="BotTokenException">The endpoint refused the credentials or answered something unusable.</exception>
    public async Task<string> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        if (_token is { } token && timeProvider.GetUtcNow() < _renewAt)
            return token;

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = timeProvider.GetUtcNow();
            if (_token is { } current && now < _renewAt)
                return current;

            var (accessToken, lifetime) = await RequestAsync(cancellationToken);
            var margin = lifetime > RenewBeforeExpiry * 2 ? RenewBeforeExpiry : lifetime / 2;
            _token = accessToken;
            _renewAt = now + lifetime - margin;
            BotFrameworkLog.TokenAcquired(logger, (int)lifetime.TotalSeconds);
            return accessToken;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the cached token (after the Connector refused it).</summary>
    public void Invalidate()
    {
        _token = null;
        _renewAt = DateTimeOffset.MinValue;
    }

    private async Task<(string Token, TimeSpan Lifetime)> RequestAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var endpoint = settings.ResolveTokenEndpoint();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = settings.AppId,
                ["client_secret"] = settings.AppPassword,
                ["scope"] = Scope,
            }),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonElement json;
        try
        {
            json = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            BotFrameworkLog.TokenRequestFailed(logger, (int)response.StatusCode, "non-JSON response");
            throw new BotTokenException($"The token endpoint answered {(int)response.StatusCode} with a body that is not JSON.");
        }

        if (!response.IsSuccessStatusCode)
        {
            // Only the OAuth error code is logged: the description can echo request details.
            var error = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            BotFrameworkLog.TokenRequestFailed(logger, (int)response.StatusCode, error ?? "no error code");
            throw new BotTokenException($"The token endpoint refused the request ({(int)response.StatusCode} {error}). Check BotFramework:AppId, BotFramework:AppPassword and BotFramework:TenantId.");
        }

        if (json.ValueKind != JsonValueKind.Object
            || !json.TryGetProperty("access_token", out var tokenElement) || tokenElement.GetString() is not { Length: > 0 } token)
        {
            throw new BotTokenException("The token endpoint's answer has no access_token.");
        }
        var seconds = json.TryGetProperty("expires_in", out var expiresIn) ? expiresIn.ValueKind switch
        {
            JsonValueKind.Number when expiresIn.TryGetInt32(out var n) => n,
            JsonValueKind.String when int.TryParse(expiresIn.GetString(), out var n) => n,
            _ => 0,
        } : 0;
        // Without a usable lifetime, assume a short one rather than caching forever.
        return (token, TimeSpan.FromSeconds(seconds > 0 ? seconds : 300));
    }
}
