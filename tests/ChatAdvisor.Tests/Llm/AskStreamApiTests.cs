using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ChatAdvisor.Tests.Infrastructure;

namespace ChatAdvisor.Tests.Llm;

public sealed class AskStreamApiTests : IAsyncLifetime
{
    // No socket needed: the application in memory.
    private readonly AppFactory _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AskStream_EmptyQuestion_BadRequestProblemBeforeAnyEvent()
    {
        var response = await _app.Client.PostAsJsonAsync("/api/ask/stream", new { question = "  " });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Invalid question", problem!["title"]!.GetValue<string>());
    }

    [Fact]
    public async Task AskStream_MalformedJson_BadRequest()
    {
        var response = await _app.Client.PostAsync("/api/ask/stream", new StringContent("{\"question\":", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task AskStream_NotJson_UnsupportedMediaType()
    {
        var response = await _app.Client.PostAsync("/api/ask/stream", new StringContent("question=hi", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}
