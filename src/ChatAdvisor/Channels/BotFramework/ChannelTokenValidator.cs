using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

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
/// Validates the <c>Authorization: Bearer</c> JWT sent with every activity, with <see cref="JsonWebTokenHandler"/>
/// and keys from each issuer's OpenID metadata. Three kinds of token are accepted, told apart by their issuer as the
/// Bot Framework SDK does:
/// <list type="bullet">
/// <item>Bot Connector tokens (issuer <c>https://api.botframework.com</c>, keys from <c>BotFramework:OpenIdMetadataUrl</c>):
/// the signing key must be endorsed for the activity's channelId and the <c>serviceurl</c> claim must equal the
/// activity's serviceUrl (so a token cannot be replayed to make the bot send its own token elsewhere).</item>
/// <item>Entra ID v1 and v2 tokens of the bot's own tenant, for a single-tenant bot (<c>BotFramework:TenantId</c>).</item>
/// <item>Bot Framework Emulator tokens, only with <c>BotFramework:AllowEmulatorTokens</c>: their <c>appid</c> (v1) or
/// <c>azp</c> (v2) claim must also be the bot's App ID.</item>
/// </list>
/// For all: RS256 only (no <c>none</c>, no HMAC, no other RSA variant); a <c>kid</c> that names a published key; a
/// valid signature; audience = the bot's App ID; <c>exp</c> required and <c>nbf</c> respected with five minutes'
/// clock skew; a <c>serviceurl</c> claim, where a token has one, equal to the activity's serviceUrl. Thread-safe.
/// </summary>
public sealed class ChannelTokenValidator(
    IOptions<BotFrameworkOptions> options,
    IHttpClientFactory httpClientFactory,
    TimeProvider timeProvider,
    ILogger<ChannelTokenValidator> logger)
{
    /// <summary>The issuer of Bot Connector tokens in the public cloud.</summary>
    public const string Issuer = "https://api.botframework.com";

    /// <summary>The tolerated difference between the channel's clock and ours.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>The issuers of Bot Framework Emulator tokens (v1 and v2 tokens of the Emulator's two app tenants).</summary>
    public static readonly IReadOnlyList<string> EmulatorIssuers =
    [
        "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
        "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0",
        "https://sts.windows.net/f8cdef31-a31e-4b4a-93e4-5f571e91255a/",
        "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0",
    ];

    // Real tokens are about 1–2 KB; anything far larger is not worth parsing.
    private const int MaxTokenLength = 16 * 1024;

    private static readonly JsonWebTokenHandler Handler = new() { MaximumTokenSizeInBytes = MaxTokenLength };

    private readonly ConcurrentDictionary<Uri, OpenIdMetadataCache> _metadata = new();

    private enum TokenKind { Channel, Entra, Emulator }

    // What a token of one kind is checked against: the issuers it may name and where their keys are published.
    private sealed record TokenRules(TokenKind Kind, string[] Issuers, Uri MetadataUrl);

    /// <summary>Checks the Authorization header value <paramref name="authorization"/> for <paramref name="activity"/>.</summary>
    public async Task<TokenCheck> ValidateAsync(string? authorization, Activity activity, CancellationToken cancellationToken = default)
    {
        const string scheme = "Bearer ";
        if (string.IsNullOrEmpty(authorization) || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return TokenCheck.Fail("no bearer token");
        var token = authorization[scheme.Length..].Trim();
        if (token.Length == 0 || token.Length > MaxTokenLength)
            return TokenCheck.Fail("token empty or too long");

        // An unsigned JWT ("alg": "none") has an empty third part: refused before anything is read from it.
        var parts = token.Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
            return TokenCheck.Fail("not a signed JWT");

        JsonWebToken jwt;
        try
        {
            jwt = Handler.ReadJsonWebToken(token);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException)
        {
            return TokenCheck.Fail("malformed JWT");
        }

        // The algorithm is fixed by us, not taken from the token: this is what stops alg=none and
        // HS256-with-the-public-key forgeries. ValidAlgorithms below says the same to the handler.
        if (jwt.Alg != SecurityAlgorithms.RsaSha256)
            return TokenCheck.Fail("algorithm not RS256");
        if (jwt.TryGetHeaderValue<object>("crit", out _))
            return TokenCheck.Fail("critical header extensions not supported");
        if (string.IsNullOrEmpty(jwt.Kid))
            return TokenCheck.Fail("no kid");

        // Which keys and rules apply depends on who claims to have issued the token; the signature check below
        // then proves it.
        var settings = options.Value;
        var (rules, refusal) = Classify(jwt.Issuer, settings);
        if (rules is null)
            return TokenCheck.Fail(refusal!);
        var kind = rules.Kind;

        var key = await Metadata(rules.MetadataUrl).FindAsync(jwt.Kid, cancellationToken);
        if (key is null)
            return TokenCheck.Fail("unknown kid");

        var result = await Handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuers = rules.Issuers,
            ValidAudience = settings.AppId,
            IssuerSigningKey = key.Key,
            TryAllIssuerSigningKeys = false,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = ClockSkew,
            LifetimeValidator = ValidateLifetime,
        });
        if (!result.IsValid)
            return TokenCheck.Fail(Reason(result.Exception));

        // Required in the Bot Connector's tokens; Entra and Emulator tokens have none, but one they carry must match.
        if (jwt.TryGetClaim("serviceurl", out var serviceUrl) || kind == TokenKind.Channel)
        {
            if (string.IsNullOrEmpty(serviceUrl?.Value) || !string.Equals(serviceUrl.Value, activity.ServiceUrl, StringComparison.OrdinalIgnoreCase))
                return TokenCheck.Fail("serviceurl claim does not match the activity");
        }

        // Endorsements are the Bot Framework's: where the key set lists them, the channel must be among them.
        if (key.Endorsements is { } endorsements
            && (string.IsNullOrEmpty(activity.ChannelId) || !endorsements.Contains(activity.ChannelId, StringComparer.Ordinal)))
        {
            return TokenCheck.Fail("key not endorsed for the channel");
        }

        if (kind == TokenKind.Emulator)
        {
            // The Emulator gets its token with the bot's own credentials: v1 tokens name that app in "appid",
            // v2 tokens in "azp".
            jwt.TryGetPayloadValue<string>("ver", out var version);
            var appIdClaim = version switch
            {
                null or "" or "1.0" => "appid",
                "2.0" => "azp",
                _ => null,
            };
            if (appIdClaim is null)
                return TokenCheck.Fail("unknown emulator token version");
            if (!jwt.TryGetPayloadValue<string>(appIdClaim, out var appId) || !string.Equals(appId, settings.AppId, StringComparison.Ordinal))
                return TokenCheck.Fail($"{appIdClaim} claim is not the bot's App ID");
        }

        return TokenCheck.Valid;
    }

    // The same split as the SDK's: the issuer, still unverified here, says which keys and rules apply.
    private static (TokenRules? Rules, string? Refusal) Classify(string? issuer, BotFrameworkOptions settings)
    {
        if (string.IsNullOrEmpty(issuer))
            return (null, "wrong issuer");

        if (issuer == Issuer)
            return (new TokenRules(TokenKind.Channel, [Issuer], new Uri(settings.OpenIdMetadataUrl, UriKind.Absolute)), null);

        if (!string.IsNullOrWhiteSpace(settings.TenantId))
        {
            var tenant = settings.TenantId.Trim();
            string[] tenantIssuers = [$"https://sts.windows.net/{tenant}/", $"https://login.microsoftonline.com/{tenant}/v2.0"];
            if (tenantIssuers.Contains(issuer, StringComparer.Ordinal))
                return (new TokenRules(TokenKind.Entra, tenantIssuers, settings.ResolveEntraOpenIdMetadataUrl(tenant)), null);
        }

        if (EmulatorIssuers.Contains(issuer, StringComparer.Ordinal))
        {
            return settings.AllowEmulatorTokens
                ? (new TokenRules(TokenKind.Emulator, [.. EmulatorIssuers], settings.ResolveEntraOpenIdMetadataUrl("common")), null)
                : (null, "emulator tokens not allowed");
        }

        return (null, "wrong issuer");
    }

    private OpenIdMetadataCache Metadata(Uri metadataUrl)
        => _metadata.GetOrAdd(metadataUrl, url => new OpenIdMetadataCache(url, httpClientFactory, timeProvider, logger));

    // The handler's own lifetime check reads the system clock; this one reads the app's, with the same rules.
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        if (expires is null)
            throw new SecurityTokenNoExpirationException("The token has no expiration time.");
        if (now > expires.Value + parameters.ClockSkew)
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = expires.Value };
        if (notBefore is { } nbf && now + parameters.ClockSkew < nbf)
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = nbf };
        return true;
    }

    private static string Reason(Exception? exception) => exception switch
    {
        SecurityTokenSignatureKeyNotFoundException => "unknown kid",
        SecurityTokenInvalidSignatureException => "bad signature",
        SecurityTokenInvalidAlgorithmException => "algorithm not RS256",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenExpiredException => "expired",
        SecurityTokenNotYetValidException => "not yet valid",
        SecurityTokenNoExpirationException => "no exp",
        SecurityTokenInvalidLifetimeException => "invalid lifetime",
        SecurityTokenMalformedException or ArgumentException => "malformed JWT",
        _ => "invalid token",
    };
}
