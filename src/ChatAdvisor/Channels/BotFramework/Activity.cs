using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>Activity types the bot acts on (Bot Framework Activity protocol v3).</summary>
public static class ActivityTypes
{
    public const string Message = "message";
    public const string ConversationUpdate = "conversationUpdate";
    public const string Typing = "typing";
    public const string Invoke = "invoke";
    public const string Event = "event";
}

/// <summary>
/// A Bot Framework v3 activity, in both directions. Only the fields the bot reads or writes are typed;
/// everything else a channel sends is kept in <see cref="Extra"/> so nothing is lost when an activity is logged
/// or echoed. Null members are left out when serialized.
/// </summary>
public sealed class Activity
{
    public string? Type { get; set; }
    public string? Id { get; set; }
    public string? Timestamp { get; set; }
    public string? ServiceUrl { get; set; }
    public string? ChannelId { get; set; }
    public ChannelAccount? From { get; set; }
    public ConversationAccount? Conversation { get; set; }
    public ChannelAccount? Recipient { get; set; }
    public string? TextFormat { get; set; }
    public string? Text { get; set; }
    public string? Locale { get; set; }
    public string? ReplyToId { get; set; }
    public string? DeliveryMode { get; set; }
    public string? Name { get; set; }
    public List<ChannelAccount>? MembersAdded { get; set; }
    public List<ChannelAccount>? MembersRemoved { get; set; }
    public SuggestedActions? SuggestedActions { get; set; }

    /// <summary>Mentions, schema.org things and other typed objects; kept as JSON because their shapes vary by type.</summary>
    public List<JsonObject>? Entities { get; set; }

    public List<JsonObject>? Attachments { get; set; }

    /// <summary>Channel-specific data (Teams: tenant, team, channel, eventType; on replies: feedbackLoop).</summary>
    public JsonObject? ChannelData { get; set; }

    /// <summary>The invoke or event payload.</summary>
    public JsonNode? Value { get; set; }

    /// <summary>Fields this model does not name, kept as received.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The Teams tenant the activity comes from: <c>channelData.tenant.id</c>, else <c>conversation.tenantId</c>.</summary>
    [JsonIgnore]
    public string? TenantId
        => (ChannelData?["tenant"] as JsonObject)?["id"].AsString() ?? Conversation?.TenantId;

    /// <summary>True when more than two parties share the conversation (Teams group chats and channels).</summary>
    [JsonIgnore]
    public bool IsGroup
        => Conversation?.IsGroup == true || Conversation?.ConversationType is "groupChat" or "channel";
}

/// <summary>A user or bot in a conversation.</summary>
public sealed class ChannelAccount
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? AadObjectId { get; set; }
    public string? Role { get; set; }
}

/// <summary>The conversation an activity belongs to.</summary>
public sealed class ConversationAccount
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public bool? IsGroup { get; set; }
    public string? ConversationType { get; set; }
    public string? TenantId { get; set; }
}

/// <summary>Buttons shown under the latest message; a click sends the value as the user's message.</summary>
public sealed class SuggestedActions
{
    public List<CardAction> Actions { get; set; } = [];
}

/// <summary>One suggested action.</summary>
public sealed class CardAction
{
    public string Type { get; set; } = "imBack";
    public string Title { get; set; } = "";
    public string Value { get; set; } = "";
}

/// <summary>The Connector's answer to a send: the id the channel gave the new activity.</summary>
public sealed class ResourceResponse
{
    public string? Id { get; set; }
}

/// <summary>The body returned for <c>deliveryMode: expectReplies</c>.</summary>
public sealed class ExpectedReplies
{
    public List<Activity> Activities { get; set; } = [];
}

/// <summary>JSON settings for the Bot Framework wire format: camelCase, nulls left out.</summary>
public static class BotJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>Safe reads of loosely typed JSON from channels.</summary>
internal static class JsonNodeReading
{
    /// <summary>The node's string value, or null when it is missing or not a string.</summary>
    public static string? AsString(this JsonNode? node)
        => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;
}
