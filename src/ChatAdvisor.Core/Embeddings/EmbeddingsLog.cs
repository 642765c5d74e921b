using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>Log messages of the embeddings feature.</summary>
internal static partial class EmbeddingsLog
{
    [LoggerMessage(101, LogLevel.Information, "Static embedding {ModelId} loaded from {Path}: {Words} words x {Dimensions} dimensions in {Milliseconds} ms")]
    public static partial void StaticModelLoaded(ILogger logger, string modelId, string path, int words, int dimensions, long milliseconds);
}
