namespace ChatAdvisor.Channels.DirectLine;

/// <summary>Registers the Direct Line channel.</summary>
public static class DirectLineServiceCollectionExtensions
{
    /// <summary>Adds the Direct Line options (section <c>DirectLine</c>), tokens and conversations.</summary>
    public static IServiceCollection AddDirectLine(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DirectLineOptions>()
            .BindConfiguration(DirectLineOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<DirectLineSigningKey>();
        services.AddSingleton<DirectLineTokens>();
        services.AddSingleton<DirectLineConversations>();
        return services;
    }
}
