using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatAdvisor.Channels.Slack;

/// <summary>JSON settings for Slack payloads: snake_case names, unknown fields ignored.</summary>
internal static class SlackJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>The outer object of an Events API request: <c>url_verification</c> or <c>event_callback</c>.</summary>
internal sealed record SlackEnvelope(
    string? Type,
    string? Challenge,
    string? TeamId,
    string? EventId,
    SlackEvent? Event,
    IReadOnlyList<SlackAuthorization>? Authorizations);

/// <summary>Who the event was delivered for; for a bot installation, the bot's own user id.</summary>
internal sealed record SlackAuthorization(string? UserId, bool IsBot);

/// <summary>The fields of <c>app_mention</c> and <c>message</c> events the adapter reads.</summary>
internal sealed record SlackEvent(
    string? Type,
    string? Subtype,
    string? User,
    string? BotId,
    JsonElement? BotProfile,
    string? Text,
    string? Ts,
    string? ThreadTs,
    string? Channel,
    string? ChannelType,
    string? Team);

/// <summary>An interactivity payload (<c>block_actions</c>) as posted in the <c>payload</c> form field.</summary>
internal sealed record SlackInteraction(
    string? Type,
    SlackIdentity? Team,
    SlackIdentity? User,
    SlackIdentity? Channel,
    SlackContainer? Container,
    SlackMessageRef? Message,
    string? TriggerId,
    IReadOnlyList<SlackAction>? Actions);

internal sealed record SlackIdentity(string? Id);

internal sealed record SlackContainer(string? Type, string? ChannelId, string? MessageTs, string? ThreadTs);

internal sealed record SlackMessageRef(string? Ts, string? ThreadTs);

internal sealed record SlackAction(string? ActionId, string? BlockId, string? Value);

/// <summary>The part of a Web API response the client reads.</summary>
internal sealed record SlackApiResponse(bool Ok, string? Error, string? Ts);
