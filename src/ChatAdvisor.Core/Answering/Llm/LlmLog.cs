using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Core.Answering.Llm;

/// <summary>Log messages of the language-model answerer. Prompts and model text only at Trace.</summary>
internal static partial class LlmLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Language model {Purpose} call failed after {ElapsedMs} ms: {Failure} ({Detail}); answering extractively")]
    public static partial void CallFailed(ILogger logger, string purpose, long elapsedMs, string failure, string detail);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Language model not called ({Purpose}): {Detail}; answering extractively")]
    public static partial void CircuitOpen(ILogger logger, string purpose, string detail);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Debug, Message = "Language model {Purpose} reply in {ElapsedMs} ms")]
    public static partial void CallSucceeded(ILogger logger, string purpose, long elapsedMs);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Language model answer cited none of the {SourceCount} sources ({RemovedMarkers} invalid markers removed); answering extractively")]
    public static partial void NoValidCitations(ILogger logger, int sourceCount, int removedMarkers);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Debug, Message = "Language model answer: {CitationCount} citations of {SourceCount} sources, {RemovedMarkers} invalid markers removed, covered: {Covered}")]
    public static partial void AnswerValidated(ILogger logger, int citationCount, int sourceCount, int removedMarkers, bool covered);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Trace, Message = "Language model {Purpose} prompt:\n{Prompt}")]
    public static partial void Prompt(ILogger logger, string purpose, string prompt);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Trace, Message = "Language model {Purpose} reply:\n{Reply}")]
    public static partial void Reply(ILogger logger, string purpose, string reply);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Debug, Message = "Language model suggestions unavailable: {Detail}")]
    public static partial void SuggestionsUnavailable(ILogger logger, string detail);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Debug, Message = "Language model rewrite reply unusable; searching with the resolved question")]
    public static partial void RewriteUnusable(ILogger logger);
}
