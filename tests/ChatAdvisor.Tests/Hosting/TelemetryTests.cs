using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Telemetry = ChatAdvisor.Core.Telemetry;

namespace ChatAdvisor.Tests.Hosting;

/// <summary>OpenTelemetry export against an OTLP/HTTP receiver on loopback.</summary>
public sealed class TelemetryTests
{
    /// <summary>An OTLP/HTTP endpoint that keeps what it receives (protobuf bodies; their strings are plain UTF-8).</summary>
    private sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        public readonly ConcurrentQueue<(string Path, byte[] Body)> Received = new();

        private OtlpReceiver(WebApplication app) => _app = app;

        public string Address => LoopbackApp.Address(_app);

        public static async Task<OtlpReceiver> StartAsync()
        {
            var app = LoopbackApp.CreateBuilder().Build();
            var receiver = new OtlpReceiver(app);
            app.MapPost("/v1/{signal}", async (HttpRequest request, string signal) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                receiver.Received.Enqueue(("/v1/" + signal, body.ToArray()));
                return Results.Bytes([], "application/x-protobuf");
            });
            await app.StartAsync();
            return receiver;
        }

        public string Text(string path) => string.Join("\n", Received.Where(r => r.Path == path).Select(r => Encoding.UTF8.GetString(r.Body)));

        public ValueTask DisposeAsync() => _app.DisposeAsync();
    }

    // The test servers share one loaded model instead of the registered one, so this test wraps it the way the
    // registration does.
    [Fact]
    public async Task WithAnOtlpEndpoint_AnAnswerIsTracedAndCounted()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Address,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
            ["OTEL_SERVICE_NAME"] = "advisor-under-test",
        }, builder => builder.Services.Replace(ServiceDescriptor.Singleton(Telemetry.Instrument(TestModels.SharedShipped, loggerFactory: null))));

        var response = await server.Client.PostAsJsonAsync("/api/ask", new { question = "Which framework is best for a REST API?" });
        response.EnsureSuccessStatusCode();
        // A Web Chat conversation: its welcome goes through the turn queue.
        var grant = await Channels.DirectLine.DirectLineHttp.PageTokenAsync(server);
        (await server.Client.SendAsync(Channels.DirectLine.DirectLineHttp.Request(HttpMethod.Post, "/v3/directline/conversations", grant.Token))).EnsureSuccessStatusCode();

        // Spans and metrics arrive in batches; wait until everything expected has come (or the deadline passes).
        string[] expectedInTraces = ["advisor-under-test", "/api/ask", "retrieval", "gen_ai.request.top_k", "embeddings"];
        string[] expectedInMetrics = ["chatadvisor.answers", "chatadvisor.answer.duration", "chatadvisor.turns.queued"];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline
               && !(expectedInTraces.All(receiver.Text("/v1/traces").Contains) && expectedInMetrics.All(receiver.Text("/v1/metrics").Contains)))
            await Task.Delay(100);

        var traces = receiver.Text("/v1/traces");
        Assert.Contains("advisor-under-test", traces);
        Assert.Contains("/api/ask", traces);                  // the ASP.NET Core request span
        Assert.Contains("retrieval", traces);                 // the advisor's retrieval span, GenAI conventions
        Assert.Contains("gen_ai.request.top_k", traces);
        Assert.Contains("embeddings", traces);                // Microsoft.Extensions.AI's embedding span
        var metrics = receiver.Text("/v1/metrics");
        Assert.Contains("chatadvisor.answers", metrics);
        Assert.Contains("chatadvisor.answer.duration", metrics);
        Assert.Contains("chatadvisor.turns.queued", metrics);  // the turn queue's depth
    }

    [Fact]
    public async Task WithoutAnEndpoint_NothingIsCollected()
    {
        await using var server = await TestServer.StartAsync();

        Assert.Null(server.Services.GetService(typeof(OpenTelemetry.Trace.TracerProvider)));
        Assert.Null(server.Services.GetService(typeof(OpenTelemetry.Metrics.MeterProvider)));
    }
}
