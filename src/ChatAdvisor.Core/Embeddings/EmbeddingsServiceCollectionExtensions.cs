using ChatAdvisor.Core.Chunking;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>Registers the embedding model selected by the <c>Embeddings</c> section.</summary>
public static class EmbeddingsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="EmbeddingsOptions"/> and registers the selected model (snowflake-arctic-embed-xs by default) as the
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>, its tokenizer as the chunker's <see cref="ITokenCounter"/>, and
    /// the generator as a readiness component. The model's graph is read on first use or by the warm-up, not here.
    /// </summary>
    public static IServiceCollection AddEmbeddings(this IServiceCollection services)
    {
        services.AddOptions<EmbeddingsOptions>().BindConfiguration(EmbeddingsOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddingsOptions>, EmbeddingsOptions.Validator>());
        services.TryAddSingleton(provider => ResolveModel(provider.GetRequiredService<IOptions<EmbeddingsOptions>>().Value,
            provider.GetRequiredService<ContentRootPath>()));
        services.TryAddSingleton(provider => BertTokenCounter.CreateTokenizer(provider.GetRequiredService<EmbeddingModel>()));
        services.TryAddSingleton<ITokenCounter>(provider => new BertTokenCounter(provider.GetRequiredService<BertTextTokenizer>()));
        services.TryAddSingleton(provider => new OnnxEmbeddingGenerator(
            provider.GetRequiredService<EmbeddingModel>(), provider.GetRequiredService<BertTextTokenizer>(),
            provider.GetRequiredService<IOptions<EmbeddingsOptions>>().Value,
            provider.GetService<ILoggerFactory>()?.CreateLogger("ChatAdvisor.Embeddings")));
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<EmbeddingsOptions>>().Value;
            var first = provider.GetRequiredService<OnnxEmbeddingGenerator>();
            if (string.IsNullOrEmpty(options.SecondModel))
                return new EmbeddingModels([first], null);
            var model = EmbeddingModel.FindPackaged(options.SecondModel)!;
            // The second model's own query instruction, whatever Embeddings:QueryPrefix gives the first.
            var second = new OnnxEmbeddingGenerator(model, BertTokenCounter.CreateTokenizer(model), new EmbeddingsOptions
            {
                Threads = options.Threads, BatchSize = options.BatchSize, MaxTokens = options.MaxTokens,
            }, provider.GetService<ILoggerFactory>()?.CreateLogger("ChatAdvisor.Embeddings"));
            return EmbeddingModels.Blend(first, second, options.SecondModelWeight);
        });
        // The same model(s) under the standard seam, inside Microsoft.Extensions.AI's OpenTelemetry layer (GenAI
        // "embeddings" spans and metrics, recorded only when a listener subscribes); disposing it twice is harmless.
        services.TryAddSingleton(provider =>
        {
            var models = provider.GetRequiredService<EmbeddingModels>();
            return Telemetry.Instrument(models.Ensemble ?? (IEmbeddingGenerator<string, Embedding<float>>)models.All[0], provider.GetService<ILoggerFactory>());
        });
        services.AddSingleton<IReadinessContributor, EmbeddingsReadiness>();
        return services;
    }

    /// <summary>
    /// The models' state in <c>/readyz</c>. A type of its own rather than a generator registered twice: the container
    /// disposes what a factory returns, and each generator must be disposed once.
    /// </summary>
    private sealed class EmbeddingsReadiness(EmbeddingModels models) : IReadinessContributor
    {
        public string Name => "embeddings";

        public ComponentStatus GetStatus() => models.GetStatus();
    }

    /// <summary>The model the options select: a folder of the user's when <see cref="EmbeddingsOptions.ModelPath"/> is set, else a packaged one.</summary>
    public static EmbeddingModel ResolveModel(EmbeddingsOptions options, ContentRootPath root)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(root);
        if (!string.IsNullOrWhiteSpace(options.ModelPath))
        {
            EmbeddingPooling? pooling = options.Pooling switch { "cls" => EmbeddingPooling.Cls, "mean" => EmbeddingPooling.Mean, _ => null };
            return EmbeddingModel.FromFolder(root.Resolve(options.ModelPath), pooling, options.QueryPrefix);
        }
        return EmbeddingModel.FindPackaged(options.Model)
            ?? throw new InvalidOperationException($"Embeddings:Model \"{options.Model}\" is not one of {string.Join(", ", EmbeddingModel.PackagedNames)}.");
    }
}
