using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>
/// Two or more embedding models as one. A text's vector is each model's unit vector, scaled by the square root of the
/// model's share of the weight, laid end to end in the order given, so the cosine of two such vectors is the weighted
/// mean of the models' cosines. The first model's part comes first: a slice of that length is the first model's vector
/// (up to a constant factor, which a cosine ignores).
/// </summary>
/// <remarks>
/// Two small models trained differently miss different paraphrases: averaging their similarities ranks a passage high
/// when both, or one of them clearly, connect it with the question. Thread-safe when the members are.
/// </remarks>
public sealed class EnsembleEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly IReadOnlyList<(IEmbeddingGenerator<string, Embedding<float>> Generator, float Scale)> _members;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Creates the ensemble; weights are relative (they are divided by their sum) and must be positive.</summary>
    public EnsembleEmbeddingGenerator(IReadOnlyList<(IEmbeddingGenerator<string, Embedding<float>> Generator, float Weight)> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
            throw new ArgumentException("An ensemble needs at least one model.", nameof(members));
        if (members.Any(m => !(m.Weight > 0) || float.IsInfinity(m.Weight)))
            throw new ArgumentException("Every model of an ensemble needs a positive, finite weight.", nameof(members));
        float total = members.Sum(m => m.Weight);
        _members = [.. members.Select(m => (m.Generator, MathF.Sqrt(m.Weight / total)))];
        // The id names every model and its share, so an index built with other models or shares is rebuilt.
        string id = string.Join("+", members.Select(m => FormattableString.Invariant(
            $"{m.Generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? "unknown"}*{m.Weight / total:0.###}")));
        _metadata = new EmbeddingGeneratorMetadata("ensemble", providerUri: null, defaultModelId: id);
    }

    private int _firstDimensions;

    /// <summary>The first model, whose vector is the first part of the ensemble's.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> First => _members[0].Generator;

    /// <summary>
    /// A query vector of the ensemble turned into one whose dot product with any vector of the ensemble is the first
    /// model's cosine alone: the first part divided by its share, the rest zero. Thresholds set against the first model's
    /// similarities keep their meaning with it. A vector of another length is returned as it is.
    /// </summary>
    public ReadOnlyMemory<float> FirstModelQuery(ReadOnlyMemory<float> vector)
    {
        int first = Volatile.Read(ref _firstDimensions);
        if (first == 0 || first >= vector.Length || _members.Count == 1)
            return vector;
        var result = new float[vector.Length];
        // The query's first part is scale·a and a passage's is scale·b, so their dot product is scale²·cos(a, b).
        float scale = _members[0].Scale;
        TensorPrimitives.Divide(vector.Span[..first], scale * scale, result.AsSpan(0, first));
        return result;
    }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? [.. values];
        // One question is embedded by every model at once (each model call runs on one thread); a batch while indexing
        // is embedded model after model, each model already using the cores.
        var parts = texts.Count == 1
            ? await Task.WhenAll(_members.Select(m => Task.Run(() => m.Generator.GenerateAsync(texts, options, cancellationToken), cancellationToken)))
            : await Sequentially(texts, options, cancellationToken);
        int dimensions = parts.Sum(p => p.Count > 0 ? p[0].Vector.Length : 0);
        if (texts.Count > 0)
            Volatile.Write(ref _firstDimensions, parts[0][0].Vector.Length);
        var created = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count);
        for (int i = 0; i < texts.Count; i++)
        {
            var vector = new float[dimensions];
            int offset = 0;
            for (int m = 0; m < _members.Count; m++)
            {
                var part = parts[m][i].Vector.Span;
                TensorPrimitives.Multiply(part, _members[m].Scale, vector.AsSpan(offset, part.Length));
                offset += part.Length;
            }
            result.Add(new Embedding<float>(vector) { ModelId = _metadata.DefaultModelId, CreatedAt = created });
        }
        return result;
    }

    private async Task<GeneratedEmbeddings<Embedding<float>>[]> Sequentially(IReadOnlyList<string> texts, EmbeddingGenerationOptions? options,
        CancellationToken cancellationToken)
    {
        var parts = new GeneratedEmbeddings<Embedding<float>>[_members.Count];
        for (int m = 0; m < _members.Count; m++)
            parts[m] = await _members[m].Generator.GenerateAsync(texts, options, cancellationToken);
        return parts;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => GeneratorServices.Get(this, _metadata, serviceType, serviceKey);

    /// <summary>Does nothing: the members belong to whoever created them.</summary>
    public void Dispose()
    {
    }
}
