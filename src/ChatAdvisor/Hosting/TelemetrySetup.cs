using ChatAdvisor.Core;
using ChatAdvisor.Llm;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ChatAdvisor.Hosting;

/// <summary>
/// OpenTelemetry for the server: traces of incoming requests, outgoing HTTP calls (channels, the language model),
/// Npgsql commands, and the advisor's retrieval, embedding and chat spans (GenAI conventions); metrics for requests,
/// answers and their latency, turn retries and the model calls. Exported over OTLP to
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the standard <c>OTEL_*</c> variables apply); with no endpoint nothing is
/// collected or exported at all.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>The setting (normally an environment variable) that switches export on.</summary>
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Adds OpenTelemetry when an OTLP endpoint is configured.</summary>
    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[EndpointSetting]))
            return services;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName: configuration["OTEL_SERVICE_NAME"] ?? "chatadvisor",
                serviceVersion: typeof(TelemetrySetup).Assembly.GetName().Version?.ToString()))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddSource(Telemetry.Name, Telemetry.EmbeddingsSourceName, LlmChatClientFactory.TelemetrySourceName, "Npgsql"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddMeter(Telemetry.Name, Telemetry.EmbeddingsSourceName, LlmChatClientFactory.TelemetrySourceName, "Npgsql"))
            .UseOtlpExporter();
        return services;
    }

    /// <summary>Health probes run every few seconds and would drown the traces that matter.</summary>
    private static bool IsProbe(PathString path) => path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");
}
