namespace ChatAdvisor.Api;

/// <summary>Log messages of the streaming ask endpoint.</summary>
internal static partial class AskStreamLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Error, Message = "Streaming an answer failed after the stream began")]
    public static partial void StreamFailed(ILogger logger, Exception exception);
}
