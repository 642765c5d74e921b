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

    /// <summary>How many threads are answered at the same time; answers within one thread are always sequential.</summary>
    public int MaxConcurrentAnswers { get; set; } = 4;

    /// <summary>How many accepted messages may wait for an answer before new ones get 503 (Slack then retries).</summary>
    public int QueueCapacity { get; set; } = 200;

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
        if (MaxConcurrentAnswers is < 1 or > 64)
            yield return new ValidationResult($"Slack:MaxConcurrentAnswers must be between 1 and 64 (got {MaxConcurrentAnswers}).", [nameof(MaxConcurrentAnswers)]);
        if (QueueCapacity is < 1 or > 100_000)
            yield return new ValidationResult($"Slack:QueueCapacity must be between 1 and 100000 (got {QueueCapacity}).", [nameof(QueueCapacity)]);
    }
}
