using ChatAdvisor.Core.Embeddings;

namespace ChatAdvisor.Core.Tests;

/// <summary>The static embedding that ships in models/static, loaded once for all tests (it is immutable and thread-safe).</summary>
public static class StaticModel
{
    /// <summary>The shipped model file.</summary>
    public static readonly string Path = System.IO.Path.Combine(RepoPaths.Root, "models", "static", "chatadvisor-static.bin");

    private static readonly Lazy<StaticEmbeddingGenerator> Shared = new(() => StaticEmbeddingGenerator.Load(Path));

    /// <summary>A generator over the shipped model.</summary>
    public static StaticEmbeddingGenerator Generator => Shared.Value;
}
