using System.ComponentModel.DataAnnotations;

namespace ChatAdvisor.Channels.DirectLine;

/// <summary>
/// The <c>DirectLine</c> section: the self-hosted Direct Line 3.0 channel that the web chat page talks to.
/// </summary>
public sealed class DirectLineOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "DirectLine";

    /// <summary>
    /// Optional. When set, a backend that presents it as <c>Authorization: Bearer &lt;secret&gt;</c> may call
    /// <c>POST /v3/directline/tokens/generate</c>, and the anonymous <c>POST /api/directline/token</c> is closed
    /// (401): the site's backend hands tokens to its pages. It is never sent to a browser. Empty: generation is
    /// refused and the page gets its token anonymously.
    /// </summary>
    public string Secret { get; set; } = "";

    /// <summary>
    /// Optional base64 key (at least 32 bytes) that signs tokens. Set the same key on every replica. Empty: a key is
    /// generated once and kept in the storage folder.
    /// </summary>
    public string SigningKey { get; set; } = "";

    /// <summary>How long a token is valid, in minutes (Web Chat refreshes it halfway through).</summary>
    public int TokenLifetimeMinutes { get; set; } = 30;

    /// <summary>The most conversations kept in memory; the least recently used idle one is dropped first.</summary>
    public int MaxConversations { get; set; } = 10_000;

    /// <summary>The most activities a conversation keeps for replay; older ones are dropped.</summary>
    public int MaxActivitiesPerConversation { get; set; } = 500;

    /// <summary>A conversation with no traffic for this many minutes ends (404 afterwards).</summary>
    public int ConversationIdleMinutes { get; set; } = 120;

    /// <summary>
    /// With replicas: how long a question stays with the replica that took it without that replica renewing its lease
    /// (every third of it). When a replica dies, another one answers its questions after at most this long.
    /// </summary>
    public int TurnLeaseSeconds { get; set; } = 10;

    /// <summary>Seconds between heartbeats (empty frames) on an idle WebSocket stream.</summary>
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>Origins allowed to call <c>/v3/directline</c> from a browser; empty allows any origin (tokens are bearer tokens, no cookies).</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>
    /// The server's public address as browsers reach it, such as <c>https://chat.example.com</c> (a path is kept);
    /// the WebSocket <c>streamUrl</c> is built from it. Empty: from the request's Host, which must then be one of
    /// <c>AllowedHosts</c>.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TokenLifetimeMinutes is < 2 or > 1440)
            yield return new ValidationResult("DirectLine:TokenLifetimeMinutes must be between 2 and 1440.", [nameof(TokenLifetimeMinutes)]);
        if (MaxConversations is < 1 or > 1_000_000)
            yield return new ValidationResult("DirectLine:MaxConversations must be between 1 and 1000000.", [nameof(MaxConversations)]);
        if (MaxActivitiesPerConversation is < 10 or > 100_000)
            yield return new ValidationResult("DirectLine:MaxActivitiesPerConversation must be between 10 and 100000.", [nameof(MaxActivitiesPerConversation)]);
        if (ConversationIdleMinutes is < 1 or > 10_080)
            yield return new ValidationResult("DirectLine:ConversationIdleMinutes must be between 1 and 10080.", [nameof(ConversationIdleMinutes)]);
        if (TurnLeaseSeconds is < 2 or > 600)
            yield return new ValidationResult("DirectLine:TurnLeaseSeconds must be between 2 and 600.", [nameof(TurnLeaseSeconds)]);
        if (HeartbeatSeconds is < 1 or > 300)
            yield return new ValidationResult("DirectLine:HeartbeatSeconds must be between 1 and 300.", [nameof(HeartbeatSeconds)]);
        if (SigningKey.Length > 0 && !IsStrongKey(SigningKey))
            yield return new ValidationResult("DirectLine:SigningKey must be base64 of at least 32 bytes (or empty to generate one).", [nameof(SigningKey)]);
        if (PublicBaseUrl.Length > 0
            && (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var publicBase) || (publicBase.Scheme != Uri.UriSchemeHttp && publicBase.Scheme != Uri.UriSchemeHttps)
                || !string.IsNullOrEmpty(publicBase.Query) || !string.IsNullOrEmpty(publicBase.Fragment) || !string.IsNullOrEmpty(publicBase.UserInfo)))
        {
            yield return new ValidationResult("DirectLine:PublicBaseUrl must be an absolute http(s) URL such as https://chat.example.com (no query, no credentials), or empty.", [nameof(PublicBaseUrl)]);
        }
        foreach (var origin in AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || origin.EndsWith('/'))
                yield return new ValidationResult($"DirectLine:AllowedOrigins entry '{origin}' must be an origin such as https://chat.example.com (no path, no trailing slash).", [nameof(AllowedOrigins)]);
        }
    }

    private static bool IsStrongKey(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out int written) && written >= 32;
    }
}
