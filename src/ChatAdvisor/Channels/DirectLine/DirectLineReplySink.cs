using System.Text.Json;
using System.Text.Json.Nodes;
using ChatAdvisor.Channels.BotFramework;
using ChatAdvisor.Storage;

namespace ChatAdvisor.Channels.DirectLine;

/// <summary>
/// Replies of the bot into a Direct Line conversation: messages are logged for replay by watermark and pushed to the
/// open streams; typing and live-stream updates go to the open streams only (Direct Line never polls them), so a
/// client on REST polling sees the final message alone. Thread-safe.
/// </summary>
public sealed class DirectLineReplySink(DirectLineConversations conversations, string conversationId, Activity inbound) : IReplySink
{
    /// <summary>The channel id the bot sees for Web Chat through this server's Direct Line, whatever a client claims.</summary>
    public const string ChannelId = "webchat";

    /// <summary>The bot's account on the wire.</summary>
    public static readonly ChannelAccount Bot = new() { Id = "chatadvisor", Name = "ChatAdvisor", Role = "bot" };

    /// <inheritdoc />
    public async Task<string?> SendAsync(Activity reply, CancellationToken cancellationToken = default)
    {
        var json = ToJson(reply);
        return reply.Type == ActivityTypes.Typing
            ? await conversations.SignalAsync(conversationId, json, cancellationToken)
            : await conversations.AppendAsync(conversationId, json, cancellationToken);
    }

    /// <inheritdoc />
    public Task TypingAsync(CancellationToken cancellationToken = default)
        => conversations.SignalAsync(conversationId, ToJson(AnswerActivities.Typing(inbound)), cancellationToken);

    /// <inheritdoc />
    public bool CanStream => conversations.CanStream(conversationId);

    /// <summary>The activity the bot is handed when a conversation starts: the user joined, so it says its welcome.</summary>
    public static Activity ConversationStarted(DirectLineConversationInfo conversation) => new()
    {
        Type = ActivityTypes.ConversationUpdate,
        ChannelId = ChannelId,
        Conversation = new ConversationAccount { Id = conversation.Id },
        From = new ChannelAccount { Id = conversation.UserId, Role = "user" },
        Recipient = Bot,
        MembersAdded = [new ChannelAccount { Id = conversation.UserId }],
    };

    /// <summary>
    /// Reads a posted activity (already stored and echoed under <paramref name="id"/>) as the bot sees it, or null when
    /// it is not an activity the bot can read (a text that is not a string, for example).
    /// </summary>
    public static Activity? Read(JsonObject stored, string id)
    {
        Activity? activity;
        try
        {
            // A text that is not a string, or a string that is not valid UTF-8, is not a question the bot can read.
            if (stored["text"] is { } text && (text is not JsonValue value || !value.TryGetValue(out string? _)))
                return null;
            activity = stored.Deserialize<Activity>(BotJson.Options);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a lone surrogate escape (\ud800) is valid JSON but not text.
            return null;
        }
        if (activity is null)
            return null;
        activity.Id = id;
        activity.ChannelId = ChannelId;
        activity.Recipient = Bot;
        return activity;
    }

    /// <summary>Tells the conversation that a message could not be read, so the user sees an error rather than silence.</summary>
    public static Task RefuseUnreadableAsync(DirectLineConversations conversations, string conversationId, string? replyToId)
        => conversations.AppendAsync(conversationId, ToJson(AnswerActivities.Text(UnreadableText, new Activity { Id = replyToId, Recipient = Bot }, ReplyStyle.WebChat)));

    /// <summary>Tells the conversation that its questions are coming too fast.</summary>
    public static Task RefuseBusyAsync(DirectLineConversations conversations, string conversationId, string replyToId, string text)
        => conversations.AppendAsync(conversationId, ToJson(AnswerActivities.Text(text, new Activity { Id = replyToId, Recipient = Bot }, ReplyStyle.WebChat)));

    private const string UnreadableText = "Sorry, that message could not be read (its text must be plain UTF-8 text). Please type the question again.";

    private static JsonObject ToJson(Activity activity) => JsonSerializer.SerializeToNode(activity, BotJson.Options)!.AsObject();
}
