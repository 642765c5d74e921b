using System.ComponentModel.DataAnnotations;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>
/// The <c>BotFramework</c> section: the bot's Microsoft App registration and where its keys and tokens come from.
/// With <see cref="AppId"/> empty the endpoint is closed unless <see cref="LocalMode"/> is on: then it runs without
/// authentication for callers on this machine and replies only to the <see cref="LocalServiceUrls"/>.
/// </summary>
public sealed class BotFrameworkOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "BotFramework";

    /// <summary>The public cloud's Bot Framework OpenID metadata.</summary>
    public const string DefaultOpenIdMetadataUrl = "https://login.botframework.com/v1/.well-known/openidconfiguration";

    /// <summary>Where Entra ID publishes a tenant's OpenID metadata; <c>{tenant}</c> stands for the tenant id.</summary>
    public const string DefaultEntraOpenIdMetadataUrl = "https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration";

    /// <summary>The placeholder for the tenant in <see cref="EntraOpenIdMetadataUrl"/>.</summary>
    public const string TenantPlaceholder = "{tenant}";

    /// <summary>The tenant a multi-tenant bot asks for its outbound token.</summary>
    public const string MultiTenantAuthority = "botframework.com";

    /// <summary>The bot's Microsoft App ID (Entra client id). Empty turns authentication off.</summary>
    public string AppId { get; set; } = "";

    /// <summary>The app's client secret. Never logged.</summary>
    public string AppPassword { get; set; } = "";

    /// <summary>The tenant of a single-tenant bot; empty for a multi-tenant bot.</summary>
    public string TenantId { get; set; } = "";

    /// <summary>Where the channel's signing keys are published (its <c>jwks_uri</c>).</summary>
    public string OpenIdMetadataUrl { get; set; } = DefaultOpenIdMetadataUrl;

    /// <summary>
    /// Entra ID's OpenID metadata, with <c>{tenant}</c> for the tenant: the keys of the Entra v1/v2 tokens a
    /// single-tenant bot accepts (from <see cref="TenantId"/>) and of Emulator tokens (from <c>common</c>).
    /// </summary>
    public string EntraOpenIdMetadataUrl { get; set; } = DefaultEntraOpenIdMetadataUrl;

    /// <summary>Accept tokens the Bot Framework Emulator obtains with the bot's own App ID and password. Off by default.</summary>
    public bool AllowEmulatorTokens { get; set; }

    /// <summary>The OAuth token endpoint for outbound calls; empty means the Entra endpoint of <see cref="TenantId"/> or <c>botframework.com</c>.</summary>
    public string TokenEndpoint { get; set; } = "";

    /// <summary>Teams tenant ids allowed to use the bot; empty allows every tenant.</summary>
    public List<string> AllowedTenants { get; set; } = [];

    /// <summary>
    /// Without an App ID, accept unauthenticated activities from this machine (the Bot Framework Emulator, curl).
    /// Unset: on in the Development environment only. Ignored when <see cref="AppId"/> is set.
    /// </summary>
    public bool? LocalMode { get; set; }

    /// <summary>
    /// In local mode, the only service URLs replies are posted to (such as the Emulator's
    /// <c>http://localhost:5000</c>); a service URL matches an entry with the same scheme, host and port whose path
    /// it starts with. Empty: replies only with <c>deliveryMode: expectReplies</c>.
    /// </summary>
    public List<string> LocalServiceUrls { get; set; } = [];

    /// <summary>True when inbound requests must carry a valid channel token.</summary>
    public bool AuthenticationEnabled => !string.IsNullOrWhiteSpace(AppId);

    /// <summary>True when, without an App ID, unauthenticated activities from this machine are accepted.</summary>
    public bool LocalModeEnabled => !AuthenticationEnabled && LocalMode == true;

    /// <summary>True when <paramref name="serviceUrl"/> is under one of the <see cref="LocalServiceUrls"/>.</summary>
    public bool IsListedLocalServiceUrl(Uri serviceUrl)
    {
        foreach (var entry in LocalServiceUrls)
        {
            if (!Uri.TryCreate(entry, UriKind.Absolute, out var listed))
                continue;
            if (listed.Scheme == serviceUrl.Scheme
                && string.Equals(listed.IdnHost, serviceUrl.IdnHost, StringComparison.OrdinalIgnoreCase)
                && listed.Port == serviceUrl.Port)
            {
                var prefix = listed.AbsolutePath.TrimEnd('/');
                var path = serviceUrl.AbsolutePath;
                if (prefix.Length == 0 || path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal))
                    return true;
            }
        }
        return false;
    }

    /// <summary>The token endpoint actually used: <see cref="TokenEndpoint"/> or the Entra endpoint for the bot's tenant.</summary>
    public Uri ResolveTokenEndpoint()
    {
        if (!string.IsNullOrWhiteSpace(TokenEndpoint))
            return new Uri(TokenEndpoint, UriKind.Absolute);
        var tenant = string.IsNullOrWhiteSpace(TenantId) ? MultiTenantAuthority : TenantId.Trim();
        return new Uri($"https://login.microsoftonline.com/{Uri.EscapeDataString(tenant)}/oauth2/v2.0/token");
    }

    /// <summary>The Entra OpenID metadata URL for <paramref name="tenant"/> (a tenant id, or <c>common</c>).</summary>
    public Uri ResolveEntraOpenIdMetadataUrl(string tenant)
        => new(EntraOpenIdMetadataUrl.Replace(TenantPlaceholder, Uri.EscapeDataString(tenant.Trim()), StringComparison.Ordinal), UriKind.Absolute);

    /// <summary>True when <paramref name="tenantId"/> may use the bot.</summary>
    public bool IsTenantAllowed(string? tenantId)
        => AllowedTenants.Count == 0
           || (tenantId is not null && AllowedTenants.Any(t => string.Equals(t.Trim(), tenantId, StringComparison.OrdinalIgnoreCase)));

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var entry in LocalServiceUrls)
        {
            if (!Uri.TryCreate(entry, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !IsLoopbackHost(uri))
            {
                yield return new ValidationResult(
                    $"BotFramework:LocalServiceUrls entry '{entry}' must be an absolute http(s) URL on this machine (localhost, 127.0.0.1 or ::1), without credentials or query.",
                    [nameof(LocalServiceUrls)]);
            }
        }
        if (!AuthenticationEnabled)
            yield break;

        if (string.IsNullOrWhiteSpace(AppPassword))
            yield return new ValidationResult("BotFramework:AppPassword must be set when BotFramework:AppId is set (the bot needs it to reply).", [nameof(AppPassword)]);
        if (!IsHttpUrl(OpenIdMetadataUrl))
            yield return new ValidationResult("BotFramework:OpenIdMetadataUrl must be an absolute http(s) URL.", [nameof(OpenIdMetadataUrl)]);
        if (!string.IsNullOrWhiteSpace(TokenEndpoint) && !IsHttpUrl(TokenEndpoint))
            yield return new ValidationResult("BotFramework:TokenEndpoint must be an absolute http(s) URL or empty.", [nameof(TokenEndpoint)]);
        if (!string.IsNullOrWhiteSpace(TenantId) && !Guid.TryParse(TenantId, out _))
            yield return new ValidationResult("BotFramework:TenantId must be a tenant GUID or empty (multi-tenant).", [nameof(TenantId)]);
        if ((!string.IsNullOrWhiteSpace(TenantId) || AllowEmulatorTokens)
            && (EntraOpenIdMetadataUrl?.Contains(TenantPlaceholder, StringComparison.Ordinal) != true
                || !IsHttpUrl(EntraOpenIdMetadataUrl.Replace(TenantPlaceholder, "common", StringComparison.Ordinal))))
        {
            yield return new ValidationResult("BotFramework:EntraOpenIdMetadataUrl must be an absolute http(s) URL containing {tenant}.", [nameof(EntraOpenIdMetadataUrl)]);
        }
    }

    private static bool IsLoopbackHost(Uri uri)
        => uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.DnsSafeHost, out var address) && System.Net.IPAddress.IsLoopback(address));

    private static bool IsHttpUrl(string? value)
        => Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
