using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Advisor>();
        services.TryAddSingleton<ReadinessReporter>();
        return services;
    }
}
