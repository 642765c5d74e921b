using System.Text.Json.Nodes;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Channels.Slack;

/// <summary>Does one piece of accepted Slack work: asks the advisor and posts the rendered answer, or records feedback.</summary>
public sealed class SlackResponder(Advisor advisor, SlackWebApiClient slack, ILogger<SlackResponder> logger)
{
    /// <summary>Does <paramref name="work"/>.</summary>
    public Task RespondAsync(SlackWork work, CancellationToken cancellationToken = default) => work switch
    {
        SlackQuestion question => AnswerAsync(question, cancellationToken),
        SlackFeedback feedback => RecordAsync(feedback, cancellationToken),
        _ => throw new ArgumentException($"Unknown Slack work {work.GetType().Name}.", nameof(work)),
    };

    private async Task AnswerAsync(SlackQuestion work, CancellationToken cancellationToken)
    {
        SlackLog.QuestionText(logger, work.ConversationId, work.Question);
        JsonObject message;
        if (string.IsNullOrWhiteSpace(work.Question))
        {
            message = SlackMessageRenderer.Welcome(advisor.WelcomeText, advisor.StarterQuestions);
        }
        else if (QuestionRules.Validate(work.Question) is { } problem)
        {
            message = SlackMessageRenderer.Notice(problem);
        }
        else
        {
            try
            {
                var answer = await advisor.AskAsync(work.Question, work.ConversationId, cancellationToken);
                message = SlackMessageRenderer.Render(answer, work.Question, work.AskedBy);
            }
            catch (InvalidQuestionException exception)
            {
                message = SlackMessageRenderer.Notice(exception.Message);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The user still gets a reply in the thread; the reason stays in the log.
                SlackLog.AnswerFailed(logger, work.Key, exception);
                message = SlackMessageRenderer.Failure();
            }
        }
        await slack.PostMessageAsync(work.Destination, message, cancellationToken);
    }

    private async Task RecordAsync(SlackFeedback work, CancellationToken cancellationToken)
    {
        var known = await advisor.RecordFeedbackAsync(new AnswerFeedback(work.AnswerId, work.Positive, null, "slack"), cancellationToken);
        SlackLog.FeedbackRecorded(logger, work.AnswerId, work.Positive ? "helpful" : "not helpful", known ? "recorded" : "unknown answer");
    }
}
