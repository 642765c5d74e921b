namespace ChatAdvisor.Channels;

/// <summary>Log messages of the channel-turn service and its queue (event ids 5000–5099). User text only at Trace.</summary>
internal static partial class TurnsLog
{
    [LoggerMessage(5001, LogLevel.Trace, "Turn {TurnId} in {ConversationKey}: question {Question}")]
    public static partial void Question(ILogger logger, string? turnId, string conversationKey, string question);

    [LoggerMessage(5002, LogLevel.Information, "Turn {TurnId}: answer {AnswerId} with {CitationCount} citations (grounded: {Grounded}) in {ElapsedMs:F0} ms")]
    public static partial void Answered(ILogger logger, string? turnId, string answerId, int citationCount, bool grounded, double elapsedMs);

    [LoggerMessage(5003, LogLevel.Error, "Turn {TurnId}: answering failed; an apology was sent instead")]
    public static partial void AnswerFailed(ILogger logger, string? turnId, Exception exception);

    [LoggerMessage(5004, LogLevel.Information, "Turn {TurnId}: the channel ended the live stream (the user stopped it); the answer is kept in the conversation")]
    public static partial void StreamStopped(ILogger logger, string? turnId);

    [LoggerMessage(5005, LogLevel.Information, "Feedback from {Channel} on answer {AnswerId}: {Reaction} (recorded: {Recorded})")]
    public static partial void Feedback(ILogger logger, string channel, string answerId, string reaction, bool recorded);

    [LoggerMessage(5006, LogLevel.Error, "Feedback from {Channel} on answer {AnswerId} could not be recorded")]
    public static partial void FeedbackFailed(ILogger logger, string channel, string answerId, Exception exception);

    [LoggerMessage(5007, LogLevel.Warning, "The article list is unavailable for the welcome ({Reason}); it is sent without it")]
    public static partial void ArticlesUnavailable(ILogger logger, string reason);

    [LoggerMessage(5010, LogLevel.Warning, "Turn {TurnId} in {ConversationKey} was not done: the server stopped first")]
    public static partial void TurnDropped(ILogger logger, string turnId, string conversationKey);

    [LoggerMessage(5011, LogLevel.Error, "Turn {TurnId} failed")]
    public static partial void TurnFailed(ILogger logger, string turnId, Exception exception);
}
