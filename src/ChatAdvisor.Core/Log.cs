using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Core;

/// <summary>The core's log messages. Questions and retrieved text only at Trace.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Index loaded from cache: {Articles} articles, {Chunks} chunks")]
    public static partial void IndexLoaded(ILogger logger, int articles, int chunks);

    [LoggerMessage(2, LogLevel.Information, "Index built: {Articles} articles, {Chunks} chunks in {Milliseconds} ms ({Reason})")]
    public static partial void IndexBuilt(ILogger logger, int articles, int chunks, long milliseconds, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Corpus file {File} skipped: {Problem}")]
    public static partial void FileSkipped(ILogger logger, string file, string problem);

    [LoggerMessage(4, LogLevel.Warning, "Corpus change detected but re-indexing failed; the previous index stays in use")]
    public static partial void ReindexFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "The index could not be saved to {Path}; it will be rebuilt at the next start")]
    public static partial void IndexSaveFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(6, LogLevel.Debug, "Answered in conversation {ConversationId}: kind {Kind}, grounded {Grounded}, {Citations} citations, {Milliseconds:0.00} ms")]
    public static partial void Answered(ILogger logger, string conversationId, string kind, bool grounded, int citations, double milliseconds);

    [LoggerMessage(7, LogLevel.Trace, "Question {Question} resolved to {Resolved}")]
    public static partial void QuestionResolved(ILogger logger, string question, string resolved);

    [LoggerMessage(8, LogLevel.Information, "Feedback recorded for answer {AnswerId} from {Channel}: {Reaction}")]
    public static partial void FeedbackRecorded(ILogger logger, string answerId, string channel, string reaction);

    [LoggerMessage(9, LogLevel.Information, "Conversation store: {Expired} idle conversations expired")]
    public static partial void ConversationsExpired(ILogger logger, int expired);

    [LoggerMessage(10, LogLevel.Warning, "Conversation store over its size cap: {Evicted} least recently used conversations evicted ({Before} → {After} bytes, cap {Cap})")]
    public static partial void ConversationsEvicted(ILogger logger, int evicted, long before, long after, long cap);

    [LoggerMessage(11, LogLevel.Error, "The conversation database {Path} is damaged (SQLite error {Code}); moved aside to {Aside} and a fresh one created")]
    public static partial void DatabaseMovedAside(ILogger logger, string path, string aside, int code, Exception exception);

    [LoggerMessage(12, LogLevel.Error, "The conversation store failed (SQLite error {Code})")]
    public static partial void StorageFailed(ILogger logger, int code, Exception exception);

    [LoggerMessage(13, LogLevel.Warning, "The conversation store's readiness probe failed (SQLite error {Code})")]
    public static partial void StorageProbeFailed(ILogger logger, int code, Exception exception);

    [LoggerMessage(14, LogLevel.Error, "Scheduled conversation clean-up failed; it runs again at the next interval")]
    public static partial void CleanupFailed(ILogger logger, Exception exception);

    [LoggerMessage(15, LogLevel.Information, "Understanding models ready: {Models} ({Milliseconds} ms)")]
    public static partial void UnderstandingReady(ILogger logger, string models, long milliseconds);

    [LoggerMessage(16, LogLevel.Error, "An example set could not be read, so questions are read from their words alone: {Problem}")]
    public static partial void ExampleSetInvalid(ILogger logger, string problem);
}
