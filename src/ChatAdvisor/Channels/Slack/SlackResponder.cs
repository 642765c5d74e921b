using System.Text.Json.Nodes;
using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Channels.Slack;

/// <summary>Does one piece of accepted Slack work through the one conversation path: a question, or a rating of an answer.</summary>
public sealed class SlackResponder(ChannelTurns turns, SlackWebApiClient slack)
{
    /// <summary>Does <paramref name="work"/>.</summary>
    public Task RespondAsync(SlackWork work, CancellationToken cancellationToken = default) => work switch
    {
        SlackQuestion question => turns.AnswerAsync(question.Question, question.ConversationId, new SlackTurnReplies(slack, question), question.Key, cancellationToken),
        SlackFeedback feedback => turns.RecordFeedbackAsync(new AnswerFeedback(feedback.AnswerId, feedback.Positive, null, "slack"), cancellationToken),
        _ => throw new ArgumentException($"Unknown Slack work {work.GetType().Name}.", nameof(work)),
    };
}

/// <summary>
/// One Slack question's replies, in its thread (or DM). While the passages are searched the assistant thread shows a
/// status; a streamed answer goes through <c>chat.startStream</c> / <c>chat.appendStream</c> / <c>chat.stopStream</c>
/// where the conversation supports it, else it is posted once and edited with <c>chat.update</c>; either way the
/// finished answer, with its sources and buttons, replaces the streamed text.
/// </summary>
internal sealed class SlackTurnReplies(SlackWebApiClient slack, SlackQuestion question) : ITurnReplies, IAnswerStream
{
    private string? _ts;
    private bool _native;
    private bool _ended;
    private int _sent;

    // Slack has no typing indicator for apps outside assistant threads; the status line stands in for it.
    public Task TypingAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task SendTextAsync(string markdown, IReadOnlyList<string>? suggestions = null, CancellationToken cancellationToken = default)
        => FinishAsync(SlackMessageRenderer.Text(markdown, suggestions), cancellationToken);

    public Task SendAnswerAsync(AdvisorAnswer answer, CancellationToken cancellationToken = default)
        => FinishAsync(SlackMessageRenderer.Render(answer, question.Question, question.AskedBy), cancellationToken);

    public IAnswerStream? OpenStream() => this;

    public async Task InformAsync(string status, CancellationToken cancellationToken = default)
    {
        if (question.Destination.ThreadTs is not null)
            await slack.SetStatusAsync(question.Destination, status, cancellationToken);
    }

    public async Task<bool> UpdateAsync(string textSoFar, CancellationToken cancellationToken = default)
    {
        if (_ended)
            return false;
        if (_ts is null)
        {
            // Native streaming needs a thread; it is refused where the workspace or conversation does not offer it.
            if (question.Destination.ThreadTs is not null
                && await slack.StartStreamAsync(question.Destination, question.TeamId, question.UserId, textSoFar, cancellationToken) is { } streamTs)
            {
                (_ts, _native, _sent) = (streamTs, true, textSoFar.Length);
                return true;
            }
            _ts = await slack.PostMessageAsync(question.Destination, SlackMessageRenderer.Partial(textSoFar), cancellationToken);
            _ended = _ts is null;
            return !_ended;
        }
        if (_native)
        {
            // appendStream adds to what is shown: send only what is new. The text so far only grows.
            if (textSoFar.Length > _sent && await slack.AppendStreamAsync(question.Destination.Channel, _ts, textSoFar[_sent..], cancellationToken))
                _sent = textSoFar.Length;
            return true;
        }
        await slack.UpdateMessageAsync(question.Destination.Channel, _ts, SlackMessageRenderer.Partial(textSoFar), cancellationToken);
        return true;
    }

    private async Task FinishAsync(JsonObject message, CancellationToken cancellationToken)
    {
        if (_ts is null)
        {
            await slack.PostMessageAsync(question.Destination, message, cancellationToken);
            return;
        }
        if (_native)
            await slack.StopStreamAsync(question.Destination.Channel, _ts, cancellationToken);
        // The finished answer may differ from the streamed preview (checked citations, sources, buttons): it replaces it.
        if (!await slack.UpdateMessageAsync(question.Destination.Channel, _ts, message, cancellationToken))
            await slack.PostMessageAsync(question.Destination, message, cancellationToken);
    }
}
