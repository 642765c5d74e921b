using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Answering.Llm;
using ChatAdvisor.Core.Conversations;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels;

/// <summary>
/// Where one turn's replies go, in a channel's own format and transport. The turn service decides what is said and
/// when; the channel only renders and sends. One instance serves one turn.
/// </summary>
public interface ITurnReplies
{
    /// <summary>Shows the typing indicator (renewed every <see cref="ChannelTurns.TypingInterval"/> while the answer is composed).</summary>
    Task TypingAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends a plain message (Markdown), such as the welcome or an apology, with optional suggested questions.</summary>
    Task SendTextAsync(string markdown, IReadOnlyList<string>? suggestions = null, CancellationToken cancellationToken = default);

    /// <summary>Sends the answer; when a live stream was opened for it, the answer concludes that stream.</summary>
    Task SendAnswerAsync(AdvisorAnswer answer, CancellationToken cancellationToken = default);

    /// <summary>Opens a live stream for the answer about to be written, or returns null where this conversation shows no live text.</summary>
    IAnswerStream? OpenStream();
}

/// <summary>An answer shown as it is written. Updates come at most once per <see cref="ChannelTurns.StreamUpdateInterval"/>.</summary>
public interface IAnswerStream
{
    /// <summary>Shows a status (such as "Searching the articles…") before the text starts.</summary>
    Task InformAsync(string status, CancellationToken cancellationToken = default);

    /// <summary>Shows <paramref name="textSoFar"/> (the whole text so far). False when the channel ended the stream (the user pressed Stop).</summary>
    Task<bool> UpdateAsync(string textSoFar, CancellationToken cancellationToken = default);
}

/// <summary>
/// The one conversation path of every channel (Teams and other Bot Framework channels, Web Chat, Slack): it checks the
/// question, keeps the typing indicator alive, asks the advisor — streaming the text where a language model writes it
/// and the channel shows it — sends the answer or the apology, says the welcome, and records feedback. Channels parse
/// and verify their requests, map their ids with <see cref="ConversationKey"/>, and render through
/// <see cref="ITurnReplies"/>. Thread-safe; a singleton.
/// </summary>
public sealed class ChannelTurns(Advisor advisor, AdvisorTexts texts, IOptions<LlmOptions> llm, TimeProvider timeProvider, ILogger<ChannelTurns> logger)
{
    /// <summary>How often the typing indicator is renewed while an answer is composed (clients show it for about 3 s).</summary>
    public static readonly TimeSpan TypingInterval = TimeSpan.FromSeconds(2.5);

    /// <summary>The shortest time between two updates of a live stream (Teams allows one a second).</summary>
    public static readonly TimeSpan StreamUpdateInterval = TimeSpan.FromSeconds(1);

    /// <summary>The texts the bot says outside its answers.</summary>
    public AdvisorTexts Texts => texts;

    /// <summary>
    /// The advisor's conversation id for a channel's conversation: <c>{channel}:{part}:{part}…</c>, namespaced per channel
    /// so that no two channels share a conversation; hashed when the channel's ids do not form a valid id.
    /// </summary>
    public static string ConversationKey(string channel, params ReadOnlySpan<string?> parts)
    {
        var key = new StringBuilder(channel);
        foreach (var part in parts)
        {
            if (!string.IsNullOrEmpty(part))
                key.Append(':').Append(part);
        }
        var text = key.ToString();
        return ConversationIds.IsValid(text)
            ? text
            : channel + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..40];
    }

    /// <summary>
    /// Answers <paramref name="question"/> in <paramref name="conversationKey"/>: a hint with starter questions for an
    /// empty message, the rule it breaks for an invalid one, else typing, the live stream when there is one, and the
    /// answer — or the apology when answering failed. Returns the answer, or null when none was given.
    /// <paramref name="turnId"/> names the turn in logs.
    /// </summary>
    public async Task<AdvisorAnswer?> AnswerAsync(string? question, string conversationKey, ITurnReplies replies, string? turnId, CancellationToken cancellationToken = default)
    {
        if (QuestionRules.IsEmpty(question))
        {
            await replies.SendTextAsync(texts.EmptyQuestion, texts.StarterQuestions, cancellationToken);
            return null;
        }
        // The one check of a question on every channel: its message is for the user.
        if (QuestionRules.Validate(question) is { } problem)
        {
            await replies.SendTextAsync(problem, cancellationToken: cancellationToken);
            return null;
        }

        TurnsLog.Question(logger, turnId, conversationKey, question);
        var started = Stopwatch.GetTimestamp();
        var stream = llm.Value.IsEnabled ? replies.OpenStream() : null;
        // The first indicator goes out before the answer is composed, so it always precedes the reply.
        await replies.TypingAsync(cancellationToken);
        if (stream is not null)
            await stream.InformAsync(texts.Searching, cancellationToken);

        AdvisorAnswer? answer = null;
        using (var typingStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var typing = KeepTypingAsync(replies, typingStop.Token);
            try
            {
                var text = new StringBuilder();
                long? lastUpdate = null;
                bool streaming = stream is not null;
                await foreach (var update in advisor.AskStreamingAsync(question, conversationKey, cancellationToken))
                {
                    if (update is AnswerCompleted completed)
                    {
                        answer = completed.Answer;
                    }
                    else if (update is AnswerDelta delta && streaming)
                    {
                        text.Append(delta.Text);
                        if (lastUpdate is { } last && timeProvider.GetElapsedTime(last) < StreamUpdateInterval)
                            continue;
                        // The live text replaces the typing indicator.
                        await typingStop.CancelAsync();
                        lastUpdate = timeProvider.GetTimestamp();
                        streaming = await stream!.UpdateAsync(text.ToString(), cancellationToken);
                        if (!streaming)
                            TurnsLog.StreamStopped(logger, turnId);
                    }
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                TurnsLog.AnswerFailed(logger, turnId, exception);
            }
            finally
            {
                await typingStop.CancelAsync();
                await typing;
            }
        }

        if (answer is null)
        {
            await replies.SendTextAsync(texts.Failure, cancellationToken: cancellationToken);
            return null;
        }
        await replies.SendAnswerAsync(answer, cancellationToken);
        TurnsLog.Answered(logger, turnId, answer.AnswerId, answer.Citations.Count, answer.Grounded, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return answer;
    }

    /// <summary>Sends the welcome: what the advisor does, the articles it answers from, and starter questions.</summary>
    public async Task WelcomeAsync(ITurnReplies replies, CancellationToken cancellationToken = default)
        => await replies.SendTextAsync(await texts.WelcomeAsync(cancellationToken), texts.StarterQuestions, cancellationToken);

    /// <summary>Records a rating of an answer from any channel; false when the answer is unknown or could not be recorded.</summary>
    public async Task<bool> RecordFeedbackAsync(AnswerFeedback feedback, CancellationToken cancellationToken = default)
    {
        try
        {
            var recorded = await advisor.RecordFeedbackAsync(feedback, cancellationToken);
            TurnsLog.Feedback(logger, feedback.Channel, feedback.AnswerId, feedback.Positive ? "like" : "dislike", recorded);
            return recorded;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            TurnsLog.FeedbackFailed(logger, feedback.Channel, feedback.AnswerId, exception);
            return false;
        }
    }

    private async Task KeepTypingAsync(ITurnReplies replies, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TypingInterval, timeProvider, cancellationToken);
                await replies.TypingAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The answer is ready, or its text is showing.
        }
    }
}
