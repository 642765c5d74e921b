using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Core.Embeddings;

internal static partial class EmbeddingsLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Loaded BERT model from {ModelPath}: {Layers} layers, {Dimensions} dimensions, {Pooling} pooling, up to {MaxTokens} tokens, in {ElapsedMs} ms")]
    public static partial void ModelLoaded(ILogger logger, string modelPath, int layers, int dimensions, string pooling, int maxTokens, long elapsedMs);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "The BERT model at {ModelPath} could not be loaded")]
    public static partial void ModelLoadFailed(ILogger logger, string modelPath, Exception exception);
}
