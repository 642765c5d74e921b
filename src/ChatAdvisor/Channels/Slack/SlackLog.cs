namespace ChatAdvisor.Channels.Slack;

/// <summary>The Slack channel's log messages (event ids 4000–4999). Tokens and secrets never appear; user text only at Trace.</summary>
internal static partial class SlackLog
{
    [LoggerMessage(4001, LogLevel.Warning, "Slack request to {Path} refused with 401: Slack:SigningSecret is not configured, so no Slack request can be verified.")]
    public static partial void NotConfigured(ILogger logger, string path);

    [LoggerMessage(4002, LogLevel.Warning, "Slack request to {Path} rejected with 401: {Status}.")]
    public static partial void SignatureRejected(ILogger logger, string path, SlackSignatureStatus status);

    [LoggerMessage(4003, LogLevel.Warning, "Slack request to {Path} rejected with 400: the body is not a Slack payload.")]
    public static partial void MalformedPayload(ILogger logger, string path);

    [LoggerMessage(4004, LogLevel.Information, "Slack URL verification answered.")]
    public static partial void UrlVerified(ILogger logger);

    [LoggerMessage(4005, LogLevel.Debug, "Slack event {EventId} ({EventType}) ignored: {Reason}.")]
    public static partial void EventIgnored(ILogger logger, string? eventId, string? eventType, string reason);

    [LoggerMessage(4006, LogLevel.Information, "Slack event {EventId} was already accepted; delivery (retry {RetryNum}, {RetryReason}) acknowledged without a second answer.")]
    public static partial void EventDuplicate(ILogger logger, string? eventId, string? retryNum, string? retryReason);

    [LoggerMessage(4007, LogLevel.Debug, "Slack work {Key} queued for conversation {ConversationId}.")]
    public static partial void WorkQueued(ILogger logger, string key, string conversationId);

    [LoggerMessage(4008, LogLevel.Warning, "Slack work {Key} refused with 503: the answer queue is full or the server is stopping; Slack will retry.")]
    public static partial void QueueRefused(ILogger logger, string key);

    [LoggerMessage(4012, LogLevel.Debug, "Slack {Method} posted message {Ts} in channel {Channel} after {Attempts} attempt(s).")]
    public static partial void Posted(ILogger logger, string method, string? ts, string channel, int attempts);

    [LoggerMessage(4013, LogLevel.Warning, "Slack {Method} was rate limited (attempt {Attempt}); retrying after {Delay}.")]
    public static partial void RateLimited(ILogger logger, string method, int attempt, TimeSpan delay);

    [LoggerMessage(4014, LogLevel.Error, "Slack {Method} is still rate limited after {Attempts} attempts (or asked to wait {Delay}); the message to channel {Channel} was not posted.")]
    public static partial void RateLimitGaveUp(ILogger logger, string method, int attempts, TimeSpan delay, string channel);

    [LoggerMessage(4015, LogLevel.Error, "Slack {Method} refused the bot token ({Error}); check Slack:BotToken and that the app is installed in the workspace.")]
    public static partial void BotTokenRejected(ILogger logger, string method, string error);

    [LoggerMessage(4016, LogLevel.Warning, "Slack {Method} could not post to channel {Channel} ({Error}); is the app a member of that channel?")]
    public static partial void ChannelUnavailable(ILogger logger, string method, string channel, string error);

    [LoggerMessage(4017, LogLevel.Error, "Slack {Method} failed with error {Error}.")]
    public static partial void ApiError(ILogger logger, string method, string error);

    [LoggerMessage(4018, LogLevel.Error, "Slack {Method} answered HTTP {StatusCode}.")]
    public static partial void HttpFailure(ILogger logger, string method, int statusCode);

    [LoggerMessage(4019, LogLevel.Error, "Slack {Method} could not be reached.")]
    public static partial void TransportFailure(ILogger logger, string method, Exception exception);

    [LoggerMessage(4021, LogLevel.Debug, "Slack interaction {Key} ignored: {Reason}.")]
    public static partial void InteractionIgnored(ILogger logger, string? key, string reason);
}
