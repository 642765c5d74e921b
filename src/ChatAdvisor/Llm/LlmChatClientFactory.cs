using System.ClientModel;
using System.ClientModel.Primitives;
using ChatAdvisor.Core.Answering.Llm;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace ChatAdvisor.Llm;

/// <summary>Creates the <see cref="IChatClient"/> pipeline for the configured provider.</summary>
internal static class LlmChatClientFactory
{
    /// <summary>The name of the <see cref="HttpClient"/> the model is called with.</summary>
    public const string HttpClientName = "llm";

    /// <summary>The source name of the model calls' traces and metrics (OpenTelemetry GenAI conventions).</summary>
    public const string TelemetrySourceName = "ChatAdvisor.Llm";

    private static readonly Uri OpenAIEndpoint = new("https://api.openai.com/v1");

    /// <summary>
    /// The provider's client through Microsoft.Extensions.AI (<c>AsIChatClient</c> over the OpenAI SDK), wrapped, from the
    /// outside in, by the circuit breaker, the timeout, OpenTelemetry, logging and the translation of SDK failures.
    /// <c>openai</c>: the SDK as it is, pointed at <see cref="LlmOptions.Endpoint"/> when set (no key needed then).
    /// <c>azure-openai</c>: the same SDK with the Azure route <c>{endpoint}/openai/deployments/{deployment}</c>,
    /// the <c>api-version</c> query parameter and the <c>api-key</c> header.
    /// </summary>
    public static IChatClient Create(LlmOptions options, HttpClient httpClient, LlmHealth health, ILoggerFactory loggerFactory, TimeProvider time)
    {
        var provider = CreateProviderClient(options, httpClient);
        return new ChatClientBuilder(provider)
            .Use(inner => new LlmCircuitBreakerChatClient(inner, health))
            .Use(inner => new LlmTimeoutChatClient(inner, options, time))
            // Prompts and replies are not put into traces (sensitive data off); the logging layer writes them only at Trace.
            .UseOpenTelemetry(loggerFactory, TelemetrySourceName)
            .UseLogging(loggerFactory)
            .Use(inner => new OpenAIFailureChatClient(inner))
            .Build();
    }

    private static IChatClient CreateProviderClient(LlmOptions options, HttpClient httpClient)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Transport = new HttpClientPipelineTransport(httpClient),
            // The answerer decides what a failure means and falls back at once: no retry loop, no SDK timeout of its own
            // before ours.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = options.Timeout + TimeSpan.FromSeconds(5),
        };
        var key = options.ResolveApiKey();
        Uri endpoint;
        string model;
        if (options.IsAzure)
        {
            // Azure.AI.OpenAI would do this routing, but it is built against an older OpenAI SDK and takes the API
            // version from a fixed list; two small request policies keep Llm:ApiVersion free and the SDK one.
            endpoint = new Uri($"{options.Endpoint.TrimEnd('/')}/openai/deployments/{Uri.EscapeDataString(options.Deployment)}");
            model = options.Deployment;
            clientOptions.AddPolicy(new QueryParameterPolicy("api-version", options.ApiVersion), PipelinePosition.PerCall);
            // Azure takes the key in an api-key header rather than as a bearer token.
            clientOptions.AddPolicy(new AuthorizationHeaderPolicy("api-key", key), PipelinePosition.BeforeTransport);
        }
        else
        {
            endpoint = string.IsNullOrEmpty(options.Endpoint) ? OpenAIEndpoint : new Uri(options.Endpoint);
            model = options.Model;
            // Local servers (Ollama, vLLM, LM Studio) take no key: then no Authorization header is sent.
            if (string.IsNullOrEmpty(key))
                clientOptions.AddPolicy(new AuthorizationHeaderPolicy(null, null), PipelinePosition.BeforeTransport);
        }
        clientOptions.Endpoint = endpoint;
        // The SDK requires a credential; where the key goes elsewhere, the policy above drops its bearer header.
        var client = new ChatClient(model, new ApiKeyCredential(string.IsNullOrEmpty(key) ? "unused" : key), clientOptions);
        var chatClient = client.AsIChatClient();
        // The SDK's client calls itself "openai"; telemetry should name Azure OpenAI as such.
        return options.IsAzure ? new ProviderNameChatClient(chatClient, "azure.ai.openai") : chatClient;
    }

    /// <summary>Reports <paramref name="providerName"/> in the inner client's <see cref="ChatClientMetadata"/>.</summary>
    private sealed class ProviderNameChatClient(IChatClient innerClient, string providerName) : DelegatingChatClient(innerClient)
    {
        public override object? GetService(Type serviceType, object? serviceKey = null)
            => serviceType == typeof(ChatClientMetadata) && serviceKey is null && base.GetService(serviceType) is ChatClientMetadata metadata
                ? new ChatClientMetadata(providerName, metadata.ProviderUri, metadata.DefaultModelId)
                : base.GetService(serviceType, serviceKey);
    }

    /// <summary>A policy that edits each request before passing it on.</summary>
    private abstract class RequestEditingPolicy : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Apply(message);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Apply(message);
            await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
        }

        protected abstract void Apply(PipelineMessage message);
    }

    /// <summary>Adds a query parameter to every request (Azure's <c>api-version</c>).</summary>
    private sealed class QueryParameterPolicy(string name, string value) : RequestEditingPolicy
    {
        protected override void Apply(PipelineMessage message)
        {
            var uri = new UriBuilder(message.Request.Uri!);
            var parameter = $"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}";
            uri.Query = string.IsNullOrEmpty(uri.Query) ? parameter : uri.Query.TrimStart('?') + "&" + parameter;
            message.Request.Uri = uri.Uri;
        }
    }

    /// <summary>Replaces the SDK's bearer header by <paramref name="header"/> (none when null).</summary>
    private sealed class AuthorizationHeaderPolicy(string? header, string? value) : RequestEditingPolicy
    {
        protected override void Apply(PipelineMessage message)
        {
            message.Request.Headers.Remove("Authorization");
            if (header is not null && value is not null)
                message.Request.Headers.Set(header, value);
        }
    }
}
