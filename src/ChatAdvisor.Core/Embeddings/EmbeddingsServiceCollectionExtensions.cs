using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>Registers the embedding generator selected by <c>Embeddings:Provider</c>.</summary>
public static class EmbeddingsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="EmbeddingsOptions"/> and registers <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> as a lazy
    /// singleton: the model file is read the first time a vector is needed (the index warm-up), not at registration.
    /// Relative model paths resolve against <paramref name="contentRoot"/>.
    /// </summary>
    public static IServiceCollection AddEmbeddings(this IServiceCollection services, string contentRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentRoot);
        services.AddOptions<EmbeddingsOptions>().BindConfiguration(EmbeddingsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddingsOptions>, EmbeddingsOptions.Validator>());
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EmbeddingsOptions>>().Value;
            if (!options.UsesStaticProvider)
                throw new InvalidOperationException($"Embeddings:Provider '{options.Provider}' is not available; use '{EmbeddingsOptions.StaticProvider}'.");
            return StaticEmbeddingGenerator.Load(Path.GetFullPath(options.StaticModelPath, contentRoot));
        });
        return services;
    }
}
