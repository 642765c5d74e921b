using System.Diagnostics;
using ChatAdvisor.Core.Chunking;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>Registers the in-process BERT encoder when <c>Embeddings:Provider</c> is <c>bert</c>.</summary>
public static class EmbeddingsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="EmbeddingsOptions"/> and, when the provider is "bert", registers the model at
    /// <c>Embeddings:ModelPath</c> as the <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> and its tokenizer as the
    /// chunker's <see cref="ITokenCounter"/>, replacing any default. The model loads on first use, not at registration;
    /// start-up validation checks that the folder holds every file the model needs.
    /// </summary>
    public static IServiceCollection AddBertEmbeddings(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EmbeddingsOptions>()
            .BindConfiguration(EmbeddingsOptions.Section)
            .Validate(options => !options.UsesBert || !string.IsNullOrWhiteSpace(options.ModelPath),
                "Embeddings:ModelPath must name a sentence-transformers model folder when Embeddings:Provider is \"bert\".")
            .Validate(options => !options.UsesBert || string.IsNullOrWhiteSpace(options.ModelPath)
                    || BertEmbeddingGenerator.RequiredFiles.All(f => File.Exists(Path.Combine(ResolveModelPath(options, contentRoot), f))),
                $"Embeddings:ModelPath does not hold a complete model ({string.Join(", ", BertEmbeddingGenerator.RequiredFiles)}); " +
                "run `ChatAdvisor models download all-MiniLM-L6-v2` or point it at a sentence-transformers model folder.")
            .ValidateOnStart();

        var options = configuration.GetSection(EmbeddingsOptions.Section).Get<EmbeddingsOptions>() ?? new EmbeddingsOptions();
        if (!options.UsesBert)
            return services;

        services.TryAddSingleton(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<EmbeddingsOptions>>().Value;
            var logger = provider.GetService<ILoggerFactory>()?.CreateLogger("ChatAdvisor.Embeddings") ?? NullLogger.Instance;
            var path = ResolveModelPath(settings, contentRoot);
            var watch = Stopwatch.StartNew();
            try
            {
                var generator = BertEmbeddingGenerator.Load(path);
                EmbeddingsLog.ModelLoaded(logger, path, generator.Config.LayerCount, generator.Dimensions, generator.Pooling.ToString(),
                    generator.MaxTokens, watch.ElapsedMilliseconds);
                return generator;
            }
            catch (Exception exception) when (exception is IOException or InvalidDataException)
            {
                EmbeddingsLog.ModelLoadFailed(logger, path, exception);
                throw;
            }
        });
        services.RemoveAll<IEmbeddingGenerator<string, Embedding<float>>>();
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(provider => provider.GetRequiredService<BertEmbeddingGenerator>());
        services.RemoveAll<ITokenCounter>();
        services.AddSingleton<ITokenCounter>(provider => provider.GetRequiredService<BertEmbeddingGenerator>().Tokenizer);
        return services;
    }

    /// <summary>The model folder, relative paths resolved against the content root.</summary>
    public static string ResolveModelPath(EmbeddingsOptions options, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Path.GetFullPath(options.ModelPath, contentRoot);
    }
}
