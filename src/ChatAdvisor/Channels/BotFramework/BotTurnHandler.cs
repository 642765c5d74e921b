using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>Where a turn's replies go: the Connector (asynchronous replies) or the HTTP response (expectReplies).</summary>
public interface IReplySink
{
    /// <summary>Sends a reply; returns the id the channel gave it, when it gives one.</summary>
    Task<string?> SendAsync(Activity reply, CancellationToken cancellationToken = default);

    /// <summary>Shows the typing indicator, where the transport has one.</summary>
    Task TypingAsync(CancellationToken cancellationToken = default);
}

/// <summary>Replies through the Bot Connector to the inbound activity's serviceUrl.</summary>
public sealed class ConnectorReplySink(ConnectorClient connector, Activity inbound) : IReplySink
{
    public Task<string?> SendAsync(Activity reply, CancellationToken cancellationToken = default)
        => connector.ReplyAsync(inbound, reply, cancellationToken);

    public Task TypingAsync(CancellationToken cancellationToken = default)
        => connector.SendTypingAsync(inbound, cancellationToken);
}

/// <summary>Collects replies for the HTTP response of an expectReplies request.</summary>
public sealed class CollectingReplySink : IReplySink
{
    private readonly List<Activity> _replies = [];

    public IReadOnlyList<Activity> Replies => _replies;

    public Task<string?> SendAsync(Activity reply, CancellationToken cancellationToken = default)
    {
        lock (_replies)
            _replies.Add(reply);
        return Task.FromResult<string?>(null);
    }

    public Task TypingAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
}

/// <summary>
/// One turn of the bot: a message gets an answer from the advisor (typing shown meanwhile), a conversationUpdate
/// that adds the bot gets a welcome with starter questions, a Teams feedback invoke is recorded against the answer
/// it rates. Thread-safe; registered as a singleton.
/// </summary>
public sealed class BotTurnHandler(
    Advisor advisor,
    RecentActivities recent,
    IOptions<BotFrameworkOptions> options,
    TimeProvider timeProvider,
    ILogger<BotTurnHandler> logger)
{
    /// <summary>How often the typing indicator is renewed while an answer is composed (clients show it for about 3 s).</summary>
    public static readonly TimeSpan TypingInterval = TimeSpan.FromSeconds(2.5);

    internal const string RefusalText = "Sorry, this bot is not available for your organisation. Please ask your Teams administrator about it.";
    internal const string FailureText = "Sorry, something went wrong while I was answering. Please try again in a moment.";

    /// <summary>Handles a message or conversationUpdate, sending its replies to <paramref name="sink"/>.</summary>
    public async Task HandleAsync(Activity activity, IReplySink sink, CancellationToken cancellationToken = default)
    {
        if (!options.Value.IsTenantAllowed(activity.TenantId))
        {
            BotFrameworkLog.TenantRefused(logger, activity.TenantId ?? "(none)", activity.Id);
            if (activity.Type == ActivityTypes.Message)
                await sink.SendAsync(TeamsReplyRenderer.RenderText(RefusalText, activity), cancellationToken);
            return;
        }

        switch (activity.Type)
        {
            case ActivityTypes.Message:
                await AnswerAsync(activity, sink, cancellationToken);
                break;
            case ActivityTypes.ConversationUpdate when ShouldWelcome(activity):
                await WelcomeAsync(activity, sink, cancellationToken);
                break;
        }
    }

    /// <summary>Records a Teams feedback invoke (<c>message/submitAction</c>) against the answer it rates.</summary>
    public async Task RecordFeedbackAsync(Activity invoke, CancellationToken cancellationToken = default)
    {
        if (!options.Value.IsTenantAllowed(invoke.TenantId))
            return;
        if (invoke.Value is not JsonObject value || value["actionName"].AsString() != "feedback")
            return;
        var actionValue = value["actionValue"] as JsonObject;
        var reaction = actionValue?["reaction"].AsString();
        if (reaction is not ("like" or "dislike"))
            return;

        var answerId = recent.FindAnswer(invoke);
        if (answerId is null)
        {
            BotFrameworkLog.FeedbackForUnknownReply(logger, invoke.ReplyToId);
            return;
        }
        var comment = FeedbackText(actionValue?["feedback"]);
        var recorded = await advisor.RecordFeedbackAsync(
            new AnswerFeedback(answerId, reaction == "like", comment, invoke.ChannelId ?? TeamsReplyRenderer.TeamsChannelId), cancellationToken);
        BotFrameworkLog.FeedbackRecorded(logger, answerId, reaction, recorded);
    }

    /// <summary>
    /// The advisor's conversation for an activity: one per (channel, conversation), and per user in group chats and
    /// channels so that one person's follow-up does not continue another's question.
    /// </summary>
    public static string ConversationKey(Activity activity)
    {
        var key = $"{activity.ChannelId}:{activity.Conversation?.Id}";
        if (activity.IsGroup && (activity.From?.AadObjectId ?? activity.From?.Id) is { Length: > 0 } user)
            key += ":" + user;
        return ConversationIds.IsValid(key)
            ? key
            : "bf-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..40];
    }

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

    private async Task AnswerAsync(Activity activity, IReplySink sink, CancellationToken cancellationToken)
    {
        var question = StripBotMention(activity);
        if (string.IsNullOrWhiteSpace(question))
        {
            await sink.SendAsync(TeamsReplyRenderer.RenderText(
                advisor.WelcomeText + " Ask me a question, for example:", activity, advisor.StarterQuestions), cancellationToken);
            return;
        }
        if (QuestionRules.Validate(question) is { } problem)
        {
            await sink.SendAsync(TeamsReplyRenderer.RenderText(problem, activity), cancellationToken);
            return;
        }

        BotFrameworkLog.Question(logger, activity.Id, question);
        AdvisorAnswer answer;
        // The first indicator goes out before the answer is composed, so it always precedes the reply; it is renewed
        // while composing takes longer than the client shows it.
        await sink.TypingAsync(cancellationToken);
        using (var typingStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var typing = KeepTypingAsync(sink, typingStop.Token);
            try
            {
                answer = await advisor.AskAsync(question, ConversationKey(activity), cancellationToken);
            }
            catch (InvalidQuestionException ex)
            {
                await sink.SendAsync(TeamsReplyRenderer.RenderText(ex.Message, activity), cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                BotFrameworkLog.AnswerFailed(logger, ex, activity.Id);
                await sink.SendAsync(TeamsReplyRenderer.RenderText(FailureText, activity), cancellationToken);
                return;
            }
            finally
            {
                await typingStop.CancelAsync();
                await typing;
            }
        }

        var replyId = await sink.SendAsync(TeamsReplyRenderer.RenderAnswer(answer, activity), cancellationToken);
        if (replyId is not null)
            recent.RecordAnswer(activity, replyId, answer.AnswerId);
        BotFrameworkLog.Answered(logger, activity.Id, answer.AnswerId, answer.Citations.Count, answer.Grounded);
    }

    private async Task KeepTypingAsync(IReplySink sink, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TypingInterval, timeProvider, cancellationToken);
                await sink.TypingAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The answer is ready.
        }
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

    private async Task WelcomeAsync(Activity activity, IReplySink sink, CancellationToken cancellationToken)
    {
        var text = new StringBuilder(advisor.WelcomeText + " ");
        try
        {
            var articles = await advisor.GetArticlesAsync(cancellationToken);
            if (articles.Count > 0)
            {
                text.Append(articles.Count == 1 ? "I answer from one article: " : $"I answer only from these {articles.Count} articles: ");
                text.Append(string.Join("; ", articles.Select(a => "*" + a.Title + "*")));
                text.Append(". ");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            BotFrameworkLog.ArticlesUnavailable(logger, ex.GetType().Name);
        }
        text.Append("Every claim in my answers cites the passage it comes from, and I say so when the articles don't cover a question. Try one of these:");
        await sink.SendAsync(TeamsReplyRenderer.RenderText(text.ToString(), activity, advisor.StarterQuestions), cancellationToken);
        BotFrameworkLog.Welcomed(logger, activity.Conversation?.Id);
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
