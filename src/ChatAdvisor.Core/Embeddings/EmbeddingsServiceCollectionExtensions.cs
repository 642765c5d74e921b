using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
            var path = Path.GetFullPath(options.StaticModelPath, contentRoot);
            var started = Stopwatch.GetTimestamp();
            var generator = StaticEmbeddingGenerator.Load(path);
            var logger = provider.GetService<ILoggerFactory>()?.CreateLogger(typeof(StaticEmbeddingGenerator)) ?? NullLogger.Instance;
            EmbeddingsLog.StaticModelLoaded(logger, generator.Model.Fingerprint, path, generator.Model.VocabularySize, generator.Model.Dimensions,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return generator;
        });
        return services;
    }
}
