namespace ChatAdvisor.Core.Embeddings;

/// <summary>
/// The embedding models the host runs: <c>Embeddings:Model</c> and, when <c>Embeddings:SecondModel</c> is set, the second
/// one with the <see cref="EnsembleEmbeddingGenerator"/> that blends them. Owns the second model's generator; the first
/// is registered, and disposed, on its own.
/// </summary>
public sealed class EmbeddingModels(IReadOnlyList<OnnxEmbeddingGenerator> all, EnsembleEmbeddingGenerator? ensemble) : IDisposable
{
    /// <summary>
    /// <paramref name="first"/> and <paramref name="second"/> blended, the second with <paramref name="secondWeight"/> of
    /// each similarity (<see cref="EmbeddingsOptions.SecondModelWeight"/>).
    /// </summary>
    public static EmbeddingModels Blend(OnnxEmbeddingGenerator first, OnnxEmbeddingGenerator second, float secondWeight)
        => new([first, second], new EnsembleEmbeddingGenerator([(first, 1 - secondWeight), (second, secondWeight)]));

    /// <summary>Every model, the first one first.</summary>
    public IReadOnlyList<OnnxEmbeddingGenerator> All { get; } = all;

    /// <summary>The blend of the models, or null with one model.</summary>
    public EnsembleEmbeddingGenerator? Ensemble { get; } = ensemble;

    /// <summary>Loads every model now, so the first question does not wait for them.</summary>
    public Task LoadAsync(CancellationToken cancellationToken = default) => Task.WhenAll(All.Select(m => m.LoadAsync(cancellationToken)));

    /// <summary>Ready when every model is; the detail names each model's state.</summary>
    public ComponentStatus GetStatus()
    {
        var states = All.Select(m => m.GetStatus()).ToList();
        return new ComponentStatus(states.All(s => s.Ready), string.Join("; ", states.Select(s => s.Detail)));
    }

    /// <summary>Releases the models this holds besides the first.</summary>
    public void Dispose()
    {
        foreach (var model in All.Skip(1))
            model.Dispose();
    }
}
