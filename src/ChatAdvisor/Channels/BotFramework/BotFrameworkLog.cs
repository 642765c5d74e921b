namespace ChatAdvisor.Channels.BotFramework;

/// <summary>Log messages of the Bot Framework channel (event ids 2000–2999). Ids and counts only; user text at Trace; never a secret.</summary>
internal static partial class BotFrameworkLog
{
    [LoggerMessage(2001, LogLevel.Debug, "Received {Type} activity {ActivityId} from channel {ChannelId}")]
    public static partial void Received(ILogger logger, string type, string? activityId, string? channelId);

    [LoggerMessage(2002, LogLevel.Warning, "Refused activity {ActivityId}: {Reason}")]
    public static partial void Unauthorized(ILogger logger, string reason, string? activityId);

    [LoggerMessage(2003, LogLevel.Information, "Activity {ActivityId} was seen before; not answered again")]
    public static partial void Duplicate(ILogger logger, string? activityId);

    [LoggerMessage(2004, LogLevel.Warning, "Activity {ActivityId} not queued: the reply queue is full")]
    public static partial void QueueFull(ILogger logger, string? activityId);

    [LoggerMessage(2005, LogLevel.Warning, "Activity {ActivityId} refused: replies to its serviceUrl are not allowed")]
    public static partial void ServiceUrlRefused(ILogger logger, string? activityId);

    [LoggerMessage(2006, LogLevel.Information, "Tenant {TenantId} is not allowed (activity {ActivityId})")]
    public static partial void TenantRefused(ILogger logger, string tenantId, string? activityId);

    [LoggerMessage(2011, LogLevel.Information, "Welcomed conversation {ConversationId}")]
    public static partial void Welcomed(ILogger logger, string? conversationId);

    [LoggerMessage(2014, LogLevel.Information, "Feedback on reply {ReplyId} ignored: no answer is known for it")]
    public static partial void FeedbackForUnknownReply(ILogger logger, string? replyId);

    [LoggerMessage(2015, LogLevel.Debug, "Reply to activity {ActivityId} delivered as {ReplyId} (attempt {Attempt})")]
    public static partial void ReplySent(ILogger logger, string? activityId, string? replyId, int attempt);

    [LoggerMessage(2016, LogLevel.Warning, "The Connector answered {StatusCode} to the reply to activity {ActivityId} (operation {OperationId}, attempt {Attempt})")]
    public static partial void ReplyFailed(ILogger logger, string? activityId, int statusCode, string? operationId, int attempt);

    [LoggerMessage(2017, LogLevel.Warning, "The Connector could not be reached for the reply to activity {ActivityId} ({Error}, attempt {Attempt})")]
    public static partial void ReplyNetworkFailure(ILogger logger, string? activityId, string error, int attempt);

    [LoggerMessage(2018, LogLevel.Debug, "Typing indicator for activity {ActivityId} not delivered (status {StatusCode})")]
    public static partial void TypingFailed(ILogger logger, string? activityId, int statusCode);

    [LoggerMessage(2019, LogLevel.Information, "Fetched {KeyCount} signing keys from {MetadataHost}")]
    public static partial void KeysFetched(ILogger logger, int keyCount, string metadataHost);

    [LoggerMessage(2020, LogLevel.Warning, "Fetching the signing keys from {MetadataHost} failed ({ErrorType}); keeping the cached keys")]
    public static partial void KeyFetchFailed(ILogger logger, string metadataHost, string errorType);

    [LoggerMessage(2021, LogLevel.Debug, "Unknown signing key {KeyId}: the key set was fetched recently, not fetching again")]
    public static partial void KeyRefreshSkipped(ILogger logger, string keyId);

    [LoggerMessage(2022, LogLevel.Debug, "Acquired a Connector token valid for {LifetimeSeconds} s")]
    public static partial void TokenAcquired(ILogger logger, int lifetimeSeconds);

    [LoggerMessage(2023, LogLevel.Error, "The token endpoint answered {StatusCode} ({Error})")]
    public static partial void TokenRequestFailed(ILogger logger, int statusCode, string error);

    [LoggerMessage(2024, LogLevel.Warning, "Refused activity {ActivityId}: BotFramework:AppId is empty and local mode is off, so no caller can be authenticated")]
    public static partial void NotConfigured(ILogger logger, string? activityId);

    [LoggerMessage(2025, LogLevel.Warning, "Refused activity {ActivityId}: control characters in its ids or type")]
    public static partial void ControlCharacters(ILogger logger, string? activityId);
}
