using ChatAdvisor.Core.Embeddings.Static;
using Microsoft.Extensions.AI;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>
/// The default embedding generator: the static word embedding that ships with the project
/// (<c>models/static/</c>), so passages and questions are embedded locally with no download and no network.
/// Thread-safe. Embedding is pure CPU work of microseconds per text, so it runs synchronously.
/// </summary>
public sealed class StaticEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Creates a generator over a loaded model.</summary>
    public StaticEmbeddingGenerator(StaticEmbeddingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        _metadata = new EmbeddingGeneratorMetadata("chatadvisor-static", providerUri: null, defaultModelId: model.Fingerprint, defaultModelDimensions: model.Dimensions);
    }

    /// <summary>The model this generator embeds with.</summary>
    public StaticEmbeddingModel Model { get; }

    /// <summary>Loads the model file at <paramref name="path"/> and creates a generator over it.</summary>
    public static StaticEmbeddingGenerator Load(string path) => new(StaticEmbeddingModel.Load(path));

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } dimensions && dimensions != Model.Dimensions)
            throw new ArgumentException($"The static embedding has {Model.Dimensions} dimensions; {dimensions} were requested.", nameof(options));

        var created = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            result.Add(new Embedding<float>(Model.Embed(value ?? string.Empty)) { ModelId = Model.Fingerprint, CreatedAt = created });
        }
        return Task.FromResult(result);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
        => EmbeddingGeneratorServices.Get(this, _metadata, serviceType, serviceKey);

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
