using Microsoft.Extensions.AI;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>The <see cref="IEmbeddingGenerator.GetService"/> answer shared by the project's embedding generators.</summary>
internal static class EmbeddingGeneratorServices
{
    /// <summary>The generator's metadata, the generator itself for its own types, null for keyed or unknown services.</summary>
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
