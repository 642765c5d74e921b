namespace ChatAdvisor.Channels.DirectLine;

/// <summary>Log messages of the Direct Line channel (event ids 6000–6999). User text only at Trace; tokens and secrets never.</summary>
internal static partial class DirectLineLog
{
    [LoggerMessage(6001, LogLevel.Information, "Direct Line conversation {ConversationId} started")]
    public static partial void ConversationStarted(ILogger logger, string conversationId);

    [LoggerMessage(6009, LogLevel.Debug, "Direct Line request refused with {StatusCode}: {Reason}")]
    public static partial void Refused(ILogger logger, int statusCode, string reason);

    [LoggerMessage(6010, LogLevel.Debug, "Direct Line conversation {ConversationId}: stream opened after watermark {Watermark}")]
    public static partial void StreamOpened(ILogger logger, string conversationId, string? watermark);

    [LoggerMessage(6011, LogLevel.Debug, "Direct Line conversation {ConversationId}: stream closed")]
    public static partial void StreamClosed(ILogger logger, string conversationId);

    [LoggerMessage(6012, LogLevel.Information, "Direct Line conversation {ConversationId}: a message was not answered because its text is not usable ({Reason})")]
    public static partial void InvalidText(ILogger logger, string conversationId, string reason);

    [LoggerMessage(6013, LogLevel.Information, "Direct Line conversation {ConversationId}: a newer stream attached; the older one is closed")]
    public static partial void StreamCollision(ILogger logger, string conversationId);

    [LoggerMessage(6014, LogLevel.Warning, "Direct Line streamUrl refused: the request's host is not in AllowedHosts and DirectLine:PublicBaseUrl is not set")]
    public static partial void HostNotAllowed(ILogger logger);

    [LoggerMessage(6015, LogLevel.Information, "Direct Line conversation {ConversationId}: question {Sequence} answered first, before the one after it")]
    public static partial void EarlierTurnFirst(ILogger logger, string conversationId, long sequence);

    [LoggerMessage(6016, LogLevel.Warning, "Direct Line conversation {ConversationId}: question {Sequence} taken over from a replica that stopped renewing its lease")]
    public static partial void TurnTakenOver(ILogger logger, string conversationId, long sequence);

    [LoggerMessage(6017, LogLevel.Information, "{Count} idle Direct Line conversations forgotten")]
    public static partial void ConversationsForgotten(ILogger logger, int count);

    [LoggerMessage(6018, LogLevel.Warning, "Direct Line upkeep (leases, taking over questions, forgetting idle conversations) failed; it runs again shortly")]
    public static partial void UpkeepFailed(ILogger logger, Exception exception);

    [LoggerMessage(6019, LogLevel.Error, "Direct Line tokens cannot be signed: {Problem}; each request tries again, and /readyz reports it until one succeeds")]
    public static partial void SigningKeyFailed(ILogger logger, string problem, Exception exception);

    [LoggerMessage(6020, LogLevel.Information, "Direct Line signing key available again")]
    public static partial void SigningKeyRecovered(ILogger logger);

    [LoggerMessage(6021, LogLevel.Warning, "A temporary Direct Line signing key file could not be deleted")]
    public static partial void TemporaryKeyFileLeft(ILogger logger, Exception exception);
}
