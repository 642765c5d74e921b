using ChatAdvisor.Core;
using ChatAdvisor.Core.Answering.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Llm;

/// <summary>Registers language-model answering (section <c>Llm</c>).</summary>
public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Binds and checks <see cref="LlmOptions"/>. When a provider is configured, registers the chat client pipeline, the prompts
    /// (loaded and checked at start-up), the circuit breaker (reported on /readyz) and the <see cref="LlmAnswerer"/>.
    /// The provider is read when services are first resolved, so settings added after this call still count.
    /// </summary>
    public static IServiceCollection AddLlm(this IServiceCollection services, string contentRoot)
    {
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>());
        services.AddHttpClient(LlmChatClientFactory.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LlmHealth>();
        services.AddSingleton<IReadinessContributor, LlmReadiness>();
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<LlmOptions>>().Value;
            var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(LlmChatClientFactory.HttpClientName);
            return LlmChatClientFactory.Create(options, http, provider.GetRequiredService<LlmHealth>(),
                provider.GetRequiredService<ILoggerFactory>(), provider.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<LlmOptions>>().Value;
            return PromptLibrary.Load(Path.GetFullPath(options.PromptsPath, contentRoot));
        });
        // The advisor takes an optional answerer: with Llm:Provider none there is none (the factory gives null), so
        // nothing of the model is created and the extractive composer answers as before.
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<LlmOptions>>().Value.IsEnabled
            ? ActivatorUtilities.CreateInstance<LlmAnswerer>(provider)
            : null!);
        services.AddHostedService<LlmStartupCheck>();
        return services;
    }
}

/// <summary>Loads the prompts and creates the client when the host starts, so a bad prompt file stops start-up with its name.</summary>
internal sealed class LlmStartupCheck(IOptions<LlmOptions> options, IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.IsEnabled)
            services.GetRequiredService<LlmAnswerer>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Reports the language model on /readyz: disabled, healthy, or failing with the last failure.</summary>
internal sealed class LlmReadiness(IOptions<LlmOptions> options, LlmHealth health) : IReadinessContributor
{
    public string Name => health.Name;

    public ComponentStatus GetStatus() => options.Value.IsEnabled
        ? health.GetStatus()
        : new ComponentStatus(Ready: true, "Llm:Provider is none: answers are extractive");
}
