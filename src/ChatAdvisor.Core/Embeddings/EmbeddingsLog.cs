using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>Log messages of the embeddings feature.</summary>
internal static partial class EmbeddingsLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Embedding model {Model} loaded: {Dimensions} dimensions, {Pooling} pooling, {Bytes} bytes of ONNX graph, in {ElapsedMs} ms")]
    public static partial void ModelLoaded(ILogger logger, string model, long dimensions, string pooling, long bytes, long elapsedMs);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "The embedding model {Model} could not be loaded")]
    public static partial void ModelLoadFailed(ILogger logger, string model, Exception exception);
}
