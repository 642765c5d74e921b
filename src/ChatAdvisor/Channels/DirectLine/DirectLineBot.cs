using System.Diagnostics;
using System.Text.Json.Nodes;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Channels.DirectLine;

/// <summary>
/// The bot behind the Direct Line channel: greets a new conversation, answers the user's messages through
/// <see cref="Advisor.AskAsync(string, string?, CancellationToken)"/> and records like/dislike feedback. Runs on the conversation's work queue, after
/// the user's activity has been echoed. Thread-safe.
/// </summary>
public sealed class DirectLineBot(Advisor advisor, ILogger<DirectLineBot> logger)
{
    /// <summary>How often the typing indicator is repeated while an answer is being composed (Web Chat shows one for 5 s).</summary>
    private static readonly TimeSpan TypingInterval = TimeSpan.FromSeconds(3);

    /// <summary>The advisor's conversation id for a Direct Line conversation, so follow-up questions keep their context.</summary>
    public static string AdvisorConversationId(string directLineConversationId) => "webchat:" + directLineConversationId;

    /// <summary>Sends the welcome message.</summary>
    public async Task WelcomeAsync(DirectLineConversation conversation, CancellationToken cancellationToken = default)
    {
        try
        {
            var articles = await advisor.GetArticlesAsync(cancellationToken);
            conversation.Append(WebChatActivities.Welcome(advisor.WelcomeText, articles, advisor.StarterQuestions));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            DirectLineLog.WelcomeFailed(logger, conversation.Id, e);
            conversation.Append(WebChatActivities.Welcome(advisor.WelcomeText, [], advisor.StarterQuestions));
        }
    }

    /// <summary>Handles one activity the user posted (already stored and echoed under <paramref name="activityId"/>).</summary>
    public async Task HandleAsync(DirectLineConversation conversation, string activityId, JsonObject activity, CancellationToken cancellationToken = default)
    {
        var type = activity["type"]?.GetValue<string>();
        if (type == "message")
        {
            if (ReadText(activity) is not { } text)
            {
                Refuse(conversation, activityId, "the text is not a string");
                return;
            }
            if (string.IsNullOrWhiteSpace(text))
            {
                Refuse(conversation, activityId, "the text is empty");
                return;
            }
            await AnswerAsync(conversation, activityId, text, cancellationToken);
        }
        else if (type == "event" && activity["name"] is JsonValue n && n.TryGetValue(out string? name) && name == WebChatActivities.FeedbackEventName)
            await RecordFeedbackAsync(conversation, activity, cancellationToken);
    }

    /// <summary>
    /// Tells the conversation that a message could not be read (its body was not valid JSON or UTF-8), so the user
    /// sees an error rather than silence.
    /// </summary>
    public void RefuseUnreadable(DirectLineConversation conversation, string reason)
    {
        DirectLineLog.InvalidText(logger, conversation.Id, reason);
        conversation.Append(WebChatActivities.Notice(UnreadableText, replyToId: null));
    }

    private const string UnreadableText = "Sorry, that message could not be read (its text must be plain UTF-8 text). Please type the question again.";

    private void Refuse(DirectLineConversation conversation, string activityId, string reason)
    {
        DirectLineLog.InvalidText(logger, conversation.Id, reason);
        conversation.Append(WebChatActivities.Notice(reason == "the text is empty"
            ? "The question is empty. Ask something like \"Which framework should I use for a REST API?\"."
            : UnreadableText, activityId));
    }

    private static string? ReadText(JsonObject activity)
    {
        try
        {
            return activity["text"] is JsonValue value && value.TryGetValue(out string? text) ? text : null;
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape (\ud800) is valid JSON but not text.
            return null;
        }
    }

    private async Task AnswerAsync(DirectLineConversation conversation, string activityId, string? question, CancellationToken cancellationToken)
    {
        if (QuestionRules.Validate(question) is { } problem)
        {
            conversation.Append(WebChatActivities.Notice(problem, activityId));
            return;
        }

        DirectLineLog.Question(logger, conversation.Id, question!);
        var started = Stopwatch.GetTimestamp();
        using var typing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var typingLoop = KeepTypingAsync(conversation, activityId, typing.Token);
        try
        {
            var answer = await advisor.AskAsync(question!, AdvisorConversationId(conversation.Id), cancellationToken);
            await typing.CancelAsync();
            await typingLoop;
            conversation.Append(WebChatActivities.Answer(answer, activityId));
            DirectLineLog.Answered(logger, conversation.Id, answer.AnswerId, answer.Citations.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (InvalidQuestionException e)
        {
            conversation.Append(WebChatActivities.Notice(e.Message, activityId));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            DirectLineLog.AnswerFailed(logger, conversation.Id, e);
            conversation.Append(WebChatActivities.Notice("Sorry, something went wrong while answering. Please try again in a moment.", activityId));
        }
        finally
        {
            await typing.CancelAsync();
            await typingLoop;
        }
    }

    private static async Task KeepTypingAsync(DirectLineConversation conversation, string replyToId, CancellationToken cancellationToken)
    {
        try
        {
            using var timer = new PeriodicTimer(TypingInterval);
            do
            {
                conversation.Signal(WebChatActivities.Typing(replyToId));
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
            // The answer is ready.
        }
    }

    private async Task RecordFeedbackAsync(DirectLineConversation conversation, JsonObject activity, CancellationToken cancellationToken)
    {
        if (!WebChatActivities.TryReadFeedback(activity, out var answerId, out bool positive))
        {
            DirectLineLog.FeedbackUnreadable(logger, conversation.Id);
            return;
        }

        try
        {
            bool known = await advisor.RecordFeedbackAsync(new AnswerFeedback(answerId, positive, null, "webchat"), cancellationToken);
            DirectLineLog.Feedback(logger, conversation.Id, answerId, positive, known);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            DirectLineLog.FeedbackFailed(logger, conversation.Id, e);
        }
    }
}
