namespace ChatAdvisor.Storage;

/// <summary>Log events of the shared PostgreSQL storage (event ids 9000–9099).</summary>
internal static partial class StorageLog
{
    [LoggerMessage(9001, LogLevel.Information, "PostgreSQL schema migration {Version} applied: {Name}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);

    [LoggerMessage(9002, LogLevel.Error, "The shared storage failed: {Problem}")]
    public static partial void DatabaseFailed(ILogger logger, string problem, Exception exception);

    [LoggerMessage(9003, LogLevel.Information, "Conversation store: {Expired} idle conversations expired")]
    public static partial void ConversationsExpired(ILogger logger, int expired);

    [LoggerMessage(9004, LogLevel.Warning, "Conversation store over its size cap: {Evicted} least recently used conversations evicted ({Before} → {After} bytes, cap {Cap})")]
    public static partial void ConversationsEvicted(ILogger logger, int evicted, long before, long after, long cap);

    [LoggerMessage(9005, LogLevel.Warning, "Listening for other replicas' Direct Line activities failed ({Problem}); retrying")]
    public static partial void ListenFailed(ILogger logger, string problem, Exception exception);

    [LoggerMessage(9006, LogLevel.Warning, "A Direct Line notification could not be handled; open streams read the log again")]
    public static partial void NotificationFailed(ILogger logger, Exception exception);

    [LoggerMessage(9007, LogLevel.Debug, "A transient activity of Direct Line conversation {ConversationId} is too large to notify other replicas; skipped")]
    public static partial void SignalTooLarge(ILogger logger, string conversationId);
}
