using Microsoft.Extensions.AI;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>What an embedding generator of ours answers to <see cref="IEmbeddingGenerator.GetService"/>.</summary>
internal static class GeneratorServices
{
    /// <summary>Its metadata, itself for a type it is, else null; nothing under a key.</summary>
    public static object? Get(object generator, EmbeddingGeneratorMetadata metadata, Type serviceType, object? serviceKey)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
            return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata))
            return metadata;
        return serviceType.IsInstanceOfType(generator) ? generator : null;
    }
}
