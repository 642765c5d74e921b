using System.Net;
using System.Text.Json.Nodes;
using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>Where a turn's activities go: the Connector, the HTTP response (expectReplies), or a Direct Line conversation.</summary>
public interface IReplySink
{
    /// <summary>Sends a reply; returns the id the channel gave it, when it gives one.</summary>
    /// <exception cref="StreamNotAllowedException">The channel refused a live-stream update.</exception>
    Task<string?> SendAsync(Activity reply, CancellationToken cancellationToken = default);

    /// <summary>Shows the typing indicator, where the transport has one.</summary>
    Task TypingAsync(CancellationToken cancellationToken = default);

    /// <summary>True when the transport can show a live stream now (it returns activity ids and someone sees typing activities).</summary>
    bool CanStream { get; }
}

/// <summary>Replies through the Bot Connector to the inbound activity's serviceUrl.</summary>
public sealed class ConnectorReplySink(ConnectorClient connector, Activity inbound) : IReplySink
{
    /// <inheritdoc />
    public Task<string?> SendAsync(Activity reply, CancellationToken cancellationToken = default)
        => connector.ReplyAsync(inbound, reply, cancellationToken);

    /// <inheritdoc />
    public Task TypingAsync(CancellationToken cancellationToken = default)
        => connector.SendTypingAsync(inbound, cancellationToken);

    /// <inheritdoc />
    public bool CanStream => true;
}

/// <summary>Collects replies for the HTTP response of an expectReplies request.</summary>
public sealed class CollectingReplySink : IReplySink
{
    private readonly List<Activity> _replies = [];

    /// <summary>The replies so far.</summary>
    public IReadOnlyList<Activity> Replies => _replies;

    /// <inheritdoc />
    public Task<string?> SendAsync(Activity reply, CancellationToken cancellationToken = default)
    {
        lock (_replies)
            _replies.Add(reply);
        return Task.FromResult<string?>(null);
    }

    /// <inheritdoc />
    public Task TypingAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc />
    public bool CanStream => false;
}

/// <summary>
/// The Bot Framework side of a turn, for every channel that speaks activities (Teams and other Bot Framework channels
/// through <c>/api/messages</c>, Web Chat through this server's Direct Line): it reads the activity — a message, a
/// conversationUpdate that calls for a welcome, a feedback — and hands it to <see cref="ChannelTurns"/>, rendering
/// with <see cref="AnswerActivities"/> in the channel's <see cref="ReplyStyle"/>. Thread-safe; a singleton.
/// </summary>
public sealed class BotTurnHandler(ChannelTurns turns, RecentActivities recent, ILogger<BotTurnHandler> logger)
{
    internal const string RefusalText = "Sorry, this bot is not available for your organisation. Please ask your Teams administrator about it.";

    /// <summary>Handles a message, conversationUpdate or Web Chat feedback event, sending its replies to <paramref name="sink"/>.</summary>
    public async Task HandleAsync(Activity activity, IReplySink sink, ReplyStyle style, CancellationToken cancellationToken = default)
    {
        var replies = new ActivityTurnReplies(sink, activity, style, recent);
        switch (activity.Type)
        {
            case ActivityTypes.Message:
                await turns.AnswerAsync(StripBotMention(activity), ConversationKey(activity), replies, activity.Id, cancellationToken);
                break;
            case ActivityTypes.ConversationUpdate when ShouldWelcome(activity):
                await turns.WelcomeAsync(replies, cancellationToken);
                BotFrameworkLog.Welcomed(logger, activity.Conversation?.Id);
                break;
            case ActivityTypes.Event when activity.Name == AnswerActivities.FeedbackEventName:
                if (AnswerActivities.TryReadFeedback(activity, out var answerId, out var positive))
                    await turns.RecordFeedbackAsync(new AnswerFeedback(answerId, positive, null, activity.ChannelId ?? "webchat"), cancellationToken);
                else
                    BotFrameworkLog.FeedbackForUnknownReply(logger, activity.ReplyToId);
                break;
        }
    }

    /// <summary>Tells the sender of a message that the bot is not available to their organisation (Teams tenant not allowed).</summary>
    public async Task RefuseAsync(Activity activity, IReplySink sink, ReplyStyle style, CancellationToken cancellationToken = default)
    {
        if (activity.Type == ActivityTypes.Message)
            await sink.SendAsync(AnswerActivities.Text(RefusalText, activity, style), cancellationToken);
    }

    /// <summary>Records a Teams feedback invoke (<c>message/submitAction</c>) against the answer it rates.</summary>
    public async Task RecordFeedbackAsync(Activity invoke, CancellationToken cancellationToken = default)
    {
        if (invoke.Value is not JsonObject value || value["actionName"].AsString() != "feedback")
            return;
        var actionValue = value["actionValue"] as JsonObject;
        var reaction = actionValue?["reaction"].AsString();
        if (reaction is not ("like" or "dislike"))
            return;

        var answerId = await recent.FindAnswerAsync(invoke, cancellationToken);
        if (answerId is null)
        {
            BotFrameworkLog.FeedbackForUnknownReply(logger, invoke.ReplyToId);
            return;
        }
        var comment = FeedbackText(actionValue?["feedback"]);
        await turns.RecordFeedbackAsync(new AnswerFeedback(answerId, reaction == "like", comment, invoke.ChannelId ?? AnswerActivities.TeamsChannelId), cancellationToken);
    }

    /// <summary>
    /// The advisor's conversation for an activity: one per (channel, conversation), and per user in group chats and
    /// channels so that one person's follow-up does not continue another's question.
    /// </summary>
    public static string ConversationKey(Activity activity)
        => ChannelTurns.ConversationKey(activity.ChannelId ?? "botframework", activity.Conversation?.Id,
            activity.IsGroup ? activity.From?.AadObjectId ?? activity.From?.Id : null);

    /// <summary>The user's text without the bot's own @mention (Teams puts <c>&lt;at&gt;Bot&lt;/at&gt;</c> in the text).</summary>
    public static string StripBotMention(Activity activity)
    {
        var text = activity.Text ?? "";
        var botId = activity.Recipient?.Id;
        foreach (var entity in activity.Entities ?? [])
        {
            if (entity["type"].AsString() is not "mention" || entity["mentioned"] is not JsonObject mentioned)
                continue;
            if (botId is null || mentioned["id"].AsString() != botId)
                continue;
            if (entity["text"].AsString() is { Length: > 0 } mentionText)
                text = text.Replace(mentionText, "", StringComparison.Ordinal);
        }
        // Without entities (some clients drop them), remove an <at> tag that carries the bot's name.
        if (activity.Recipient?.Name is { Length: > 0 } botName)
            text = text.Replace($"<at>{botName}</at>", "", StringComparison.OrdinalIgnoreCase);
        // Teams can leave HTML entities such as &nbsp; around a mention.
        return WebUtility.HtmlDecode(text).Replace('\u00a0', ' ').Trim();
    }

    /// <summary>
    /// Welcome when the bot itself was added (installed in a chat or team), or when a user joined a one-to-one
    /// conversation (Emulator, Web Chat). Members joining a group or team are not greeted one by one.
    /// </summary>
    private static bool ShouldWelcome(Activity activity)
    {
        var added = activity.MembersAdded ?? [];
        var botId = activity.Recipient?.Id;
        if (added.Any(m => m.Id is not null && m.Id == botId))
            return true;
        return !activity.IsGroup && added.Any(m => m.Id is not null && m.Id != botId);
    }

    private static string? FeedbackText(JsonNode? feedback)
    {
        // Teams sends the comment as a JSON string inside the JSON: "{\"feedbackText\":\"…\"}".
        if (feedback.AsString() is not { } raw || string.IsNullOrWhiteSpace(raw))
            return null;
        try
        {
            return JsonNode.Parse(raw) is JsonObject o && o["feedbackText"].AsString() is { } text && !string.IsNullOrWhiteSpace(text)
                ? text.Trim()
                : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return raw.Trim();
        }
    }
}

/// <summary>
/// One turn's replies as activities: rendered by <see cref="AnswerActivities"/> in <paramref name="style"/> and sent to
/// <paramref name="sink"/>. A live stream is a series of typing activities concluded by the answer itself.
/// </summary>
internal sealed class ActivityTurnReplies(IReplySink sink, Activity inbound, ReplyStyle style, RecentActivities recent) : ITurnReplies, IAnswerStream
{
    private int _sequence;
    private string? _streamId;
    private bool _ended;
    private bool _stoppedByUser;

    public Task TypingAsync(CancellationToken cancellationToken = default) => sink.TypingAsync(cancellationToken);

    public async Task SendTextAsync(string markdown, IReadOnlyList<string>? suggestions = null, CancellationToken cancellationToken = default)
    {
        if (_stoppedByUser)
            return;
        await sink.SendAsync(Conclude(AnswerActivities.Text(markdown, inbound, style, suggestions)), cancellationToken);
    }

    public async Task SendAnswerAsync(AdvisorAnswer answer, CancellationToken cancellationToken = default)
    {
        // The user stopped the stream: the channel takes nothing more of it (the answer stays in the conversation).
        if (_stoppedByUser)
            return;
        var replyId = await sink.SendAsync(Conclude(AnswerActivities.Answer(answer, inbound, style)), cancellationToken);
        // Teams rates a reply by its activity id: remember which answer it carries.
        if (replyId is not null && style.Feedback == FeedbackStyle.TeamsFeedbackLoop)
            await recent.RecordAnswerAsync(inbound, replyId, answer.AnswerId, cancellationToken);
    }

    public IAnswerStream? OpenStream()
        => sink.CanStream && (style.StreamsInGroups || !inbound.IsGroup) ? this : null;

    public Task InformAsync(string status, CancellationToken cancellationToken = default)
        => SendUpdateAsync(status, "informative", cancellationToken);

    public async Task<bool> UpdateAsync(string textSoFar, CancellationToken cancellationToken = default)
    {
        await SendUpdateAsync(textSoFar, "streaming", cancellationToken);
        return !_ended;
    }

    private async Task SendUpdateAsync(string text, string streamType, CancellationToken cancellationToken)
    {
        if (_ended)
            return;
        try
        {
            var id = await sink.SendAsync(AnswerActivities.StreamUpdate(inbound, style, text, streamType, ++_sequence, _streamId), cancellationToken);
            // The first update's id names the stream; without one there is no stream to continue.
            _streamId ??= id;
            _ended = _streamId is null;
        }
        catch (StreamNotAllowedException)
        {
            // Refused once started: the user pressed Stop. Refused at once: this chat does not stream; the answer
            // still comes, as an ordinary message.
            _ended = true;
            _stoppedByUser = _streamId is not null;
        }
        catch (HttpRequestException)
        {
            // An update that did not arrive is not worth failing the answer for; the final message carries it all.
            _ended = true;
        }
    }

    private Activity Conclude(Activity final)
        => _streamId is null ? final : AnswerActivities.EndStream(final, style, _streamId);
}
