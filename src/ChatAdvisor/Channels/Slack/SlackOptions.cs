using System.ComponentModel.DataAnnotations;

namespace ChatAdvisor.Channels.Slack;

/// <summary>
/// The <c>Slack</c> section of appsettings.json. With <see cref="SigningSecret"/> empty the Slack endpoints
/// refuse every request, so a server without Slack credentials never processes unsigned traffic.
/// </summary>
public sealed class SlackOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Slack";

    /// <summary>The app's signing secret (Basic Information → App Credentials); checks every request from Slack.</summary>
    public string SigningSecret { get; set; } = "";

    /// <summary>The bot user OAuth token (<c>xoxb-…</c>) used to post answers.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>The Slack Web API base address; tests point it at a fake on loopback.</summary>
    public string ApiBaseUrl { get; set; } = "https://slack.com/api/";

    /// <summary>True when a signing secret is set, so the endpoints accept signed requests.</summary>
    public bool Enabled => !string.IsNullOrEmpty(SigningSecret);

    /// <summary>The API base address with a trailing slash, so relative method names resolve under it.</summary>
    public Uri ApiBaseUri => new(ApiBaseUrl.EndsWith('/') ? ApiBaseUrl : ApiBaseUrl + "/", UriKind.Absolute);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            yield return new ValidationResult($"Slack:ApiBaseUrl must be an absolute http(s) address such as https://slack.com/api/ (got \"{ApiBaseUrl}\").", [nameof(ApiBaseUrl)]);
        if (Enabled && string.IsNullOrWhiteSpace(BotToken))
            yield return new ValidationResult("Slack:BotToken is required when Slack:SigningSecret is set: without it answers cannot be posted.", [nameof(BotToken)]);
    }
}
