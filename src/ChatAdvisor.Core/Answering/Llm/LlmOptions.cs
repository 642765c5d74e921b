using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Answering.Llm;

/// <summary>
/// The <c>Llm</c> section: which language model writes the answers, if any. With <see cref="Provider"/>
/// <c>none</c> (the default) the extractive composer answers and nothing here is used.
/// </summary>
public sealed class LlmOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Llm";

    /// <summary>No language model: the extractive composer answers.</summary>
    public const string NoProvider = "none";

    /// <summary>OpenAI, or any OpenAI-compatible endpoint (Ollama, vLLM, LM Studio) through <see cref="Endpoint"/>.</summary>
    public const string OpenAIProvider = "openai";

    /// <summary>Azure OpenAI: <see cref="Endpoint"/>, <see cref="Deployment"/> and <see cref="ApiVersion"/>.</summary>
    public const string AzureOpenAIProvider = "azure-openai";

    /// <summary><c>none</c>, <c>openai</c> or <c>azure-openai</c>.</summary>
    public string Provider { get; set; } = NoProvider;

    /// <summary>
    /// For <c>openai</c>: empty for api.openai.com, or the base address of a compatible server such as
    /// <c>http://localhost:11434/v1</c>. For <c>azure-openai</c>: the resource address, <c>https://NAME.openai.azure.com</c>.
    /// </summary>
    public string Endpoint { get; set; } = "";

    /// <summary>The API key. Empty means: read <c>OPENAI_API_KEY</c> or <c>AZURE_OPENAI_API_KEY</c> from the environment. Never logged.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>The model name (<c>openai</c>), such as <c>gpt-4o-mini</c> or <c>llama3.1</c>.</summary>
    public string Model { get; set; } = "gpt-4o-mini";

    /// <summary>The deployment name (<c>azure-openai</c>).</summary>
    public string Deployment { get; set; } = "";

    /// <summary>The REST API version (<c>azure-openai</c>).</summary>
    public string ApiVersion { get; set; } = "2024-10-21";

    /// <summary>
    /// How long one question may wait for the model, rewrite and answer together. When it runs out the
    /// extractive answer is returned instead.
    /// </summary>
    public double TimeoutSeconds { get; set; } = 20;

    /// <summary>The most tokens of retrieved passages put into one prompt.</summary>
    public int MaxSourceTokens { get; set; } = 3000;

    /// <summary>The most passages put into one prompt.</summary>
    public int MaxSources { get; set; } = 8;

    /// <summary>The most tokens the model may write for one answer.</summary>
    public int MaxOutputTokens { get; set; } = 700;

    /// <summary>Sampling temperature; low keeps answers close to the sources.</summary>
    public double Temperature { get; set; } = 0.1;

    /// <summary>The folder of prompt templates, relative to the content root.</summary>
    public string PromptsPath { get; set; } = "prompts";

    /// <summary>Rewrite follow-up questions into standalone search queries with the model.</summary>
    public bool RewriteFollowUps { get; set; } = true;

    /// <summary>Ask the model for follow-up suggestions (otherwise the extractive ones are used).</summary>
    public bool GenerateSuggestions { get; set; } = true;

    /// <summary>Consecutive failed calls after which the model is not called for <see cref="CircuitBreakSeconds"/>.</summary>
    public int CircuitBreakerFailures { get; set; } = 3;

    /// <summary>How long the model is left alone after <see cref="CircuitBreakerFailures"/> failures.</summary>
    public double CircuitBreakSeconds { get; set; } = 30;

    /// <summary>True when a provider other than <c>none</c> is configured.</summary>
    public bool IsEnabled => !string.Equals(Provider, NoProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for <c>azure-openai</c>.</summary>
    public bool IsAzure => string.Equals(Provider, AzureOpenAIProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>The timeout as a <see cref="TimeSpan"/>.</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>The key to use: <see cref="ApiKey"/>, else the provider's usual environment variable, else empty.</summary>
    public string ResolveApiKey()
    {
        if (!string.IsNullOrEmpty(ApiKey))
            return ApiKey;
        var variable = IsAzure ? "AZURE_OPENAI_API_KEY" : "OPENAI_API_KEY";
        return Environment.GetEnvironmentVariable(variable) ?? "";
    }

    /// <summary>Every broken invariant, each naming the setting; empty when the options are usable.</summary>
    public IEnumerable<string> Validate()
    {
        string[] providers = [NoProvider, OpenAIProvider, AzureOpenAIProvider];
        if (!providers.Contains(Provider, StringComparer.OrdinalIgnoreCase))
        {
            yield return $"Llm:Provider is '{Provider}'; use one of: {string.Join(", ", providers)}.";
            yield break;
        }
        if (!IsEnabled)
            yield break;

        if (!string.IsNullOrEmpty(Endpoint) && !Uri.TryCreate(Endpoint, UriKind.Absolute, out _))
            yield return $"Llm:Endpoint '{Endpoint}' is not an absolute URL such as http://localhost:11434/v1.";
        if (IsAzure)
        {
            if (string.IsNullOrEmpty(Endpoint))
                yield return "Llm:Endpoint is required for azure-openai (https://NAME.openai.azure.com).";
            if (string.IsNullOrWhiteSpace(Deployment))
                yield return "Llm:Deployment is required for azure-openai.";
            if (string.IsNullOrWhiteSpace(ApiVersion))
                yield return "Llm:ApiVersion is required for azure-openai (for example 2024-10-21).";
            if (string.IsNullOrEmpty(ResolveApiKey()))
                yield return "Llm:ApiKey is required for azure-openai (or set AZURE_OPENAI_API_KEY).";
        }
        else
        {
            if (string.IsNullOrWhiteSpace(Model))
                yield return "Llm:Model is required for openai (for example gpt-4o-mini, or llama3.1 on Ollama).";
            // A local OpenAI-compatible server usually takes no key; api.openai.com always does.
            if (string.IsNullOrEmpty(Endpoint) && string.IsNullOrEmpty(ResolveApiKey()))
                yield return "Llm:ApiKey is required for api.openai.com (or set OPENAI_API_KEY, or point Llm:Endpoint at a local server).";
        }
        if (!(TimeoutSeconds > 0 && TimeoutSeconds <= 600))
            yield return $"Llm:TimeoutSeconds is {TimeoutSeconds}; it must be above 0 and at most 600.";
        if (MaxSourceTokens < 100)
            yield return $"Llm:MaxSourceTokens is {MaxSourceTokens}; it must be at least 100.";
        if (MaxSources < 1)
            yield return $"Llm:MaxSources is {MaxSources}; it must be at least 1.";
        if (MaxOutputTokens < 16)
            yield return $"Llm:MaxOutputTokens is {MaxOutputTokens}; it must be at least 16.";
        if (Temperature is < 0 or > 2)
            yield return $"Llm:Temperature is {Temperature}; it must be between 0 and 2.";
        if (string.IsNullOrWhiteSpace(PromptsPath))
            yield return "Llm:PromptsPath is empty; it names the folder of prompt templates.";
        if (CircuitBreakerFailures < 1)
            yield return $"Llm:CircuitBreakerFailures is {CircuitBreakerFailures}; it must be at least 1.";
        if (CircuitBreakSeconds < 0)
            yield return $"Llm:CircuitBreakSeconds is {CircuitBreakSeconds}; it must not be negative.";
    }
}

/// <summary>Checks <see cref="LlmOptions"/> when the host starts.</summary>
public sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
