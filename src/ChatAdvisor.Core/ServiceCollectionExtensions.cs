using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Core.Embeddings;
using ChatAdvisor.Core.Retrieval;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core;

/// <summary>Registers the core advisor.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds the advisor, its index, retrieval, answering and conversation store, with options bound from
    /// <paramref name="configuration"/>. Relative paths in the options resolve against <paramref name="contentRoot"/>.
    /// </summary>
    public static IServiceCollection AddChatAdvisorCore(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(contentRoot);

        services.AddOptions<CorpusOptions>().BindConfiguration(CorpusOptions.Section).ValidateOnStart();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        services.AddOptions<RetrievalOptions>().BindConfiguration(RetrievalOptions.Section).ValidateOnStart();
        services.AddOptions<ChunkingOptions>().BindConfiguration(ChunkingOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CorpusOptions>>(new NamedValidator<CorpusOptions>(o => o.Validate()));
        services.AddSingleton<IValidateOptions<StorageOptions>>(new NamedValidator<StorageOptions>(o => o.Validate()));
        services.AddSingleton<IValidateOptions<RetrievalOptions>>(new NamedValidator<RetrievalOptions>(o => o.Validate()));
        services.AddSingleton<IValidateOptions<ChunkingOptions>>(new NamedValidator<ChunkingOptions>(o => o.Validate()));

        services.TryAddSingleton(new ContentRootPath(contentRoot));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IndexProvider>();
        services.AddSingleton<IReadinessContributor>(sp => sp.GetRequiredService<IndexProvider>());
        services.TryAddSingleton<Retriever>();
        services.TryAddSingleton<HybridRetriever>();
        services.AddEmbeddings();
        services.TryAddSingleton<ConversationStore>();
        // The default store; a host that shares conversations between replicas registers its own first.
        services.TryAddSingleton<IConversationStore>(sp => sp.GetRequiredService<ConversationStore>());
        services.AddSingleton<IReadinessContributor, StorageReadiness>();
        // Before the index warm-up, so a storage folder that cannot be written stops start-up first.
        services.AddHostedService<StorageMaintenance>();
        services.TryAddSingleton<Advisor>();
        services.AddSingleton<IReadinessContributor>(sp => sp.GetRequiredService<Advisor>());
        services.TryAddSingleton<ReadinessReporter>();
        services.AddHostedService<IndexWarmup>();
        return services;
    }

    /// <summary>Reports an options class's own invariant message, which names the setting.</summary>
    private sealed class NamedValidator<T>(Func<T, string?> validate) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
            => validate(options) is { } message ? ValidateOptionsResult.Fail(message) : ValidateOptionsResult.Success;
    }
}

/// <summary>
/// Loads the embedding model and loads or builds the index in the background as the host starts, so the first question is
/// fast; <c>/readyz</c> reports both until they are ready.
/// </summary>
internal sealed class IndexWarmup(IndexProvider index, EmbeddingModels embeddings, Advisor advisor) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // The index may come from the cache without embedding anything; the model is still needed for the first question.
            await Task.WhenAll(embeddings.LoadAsync(stoppingToken), index.GetAsync(stoppingToken).AsTask());
            // Not cancelled by a stop: the models would be embedding examples with an embedding model being disposed.
            await advisor.WarmUpAsync(CancellationToken.None);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
