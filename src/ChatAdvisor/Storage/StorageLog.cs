namespace ChatAdvisor.Storage;

/// <summary>Log events of the shared PostgreSQL storage (event ids 8100–8199).</summary>
internal static partial class StorageLog
{
    [LoggerMessage(8101, LogLevel.Information, "PostgreSQL schema migration {Version} applied: {Name}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);

    [LoggerMessage(8102, LogLevel.Error, "The shared storage failed: {Problem}")]
    public static partial void DatabaseFailed(ILogger logger, string problem, Exception exception);

    [LoggerMessage(8103, LogLevel.Information, "Conversation store: {Expired} idle conversations expired")]
    public static partial void ConversationsExpired(ILogger logger, int expired);

    [LoggerMessage(8104, LogLevel.Warning, "Conversation store over its size cap: {Evicted} least recently used conversations evicted ({Before} → {After} bytes, cap {Cap})")]
    public static partial void ConversationsEvicted(ILogger logger, int evicted, long before, long after, long cap);
}
