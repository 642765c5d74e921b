using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ChatAdvisor.Tests.Infrastructure;

namespace ChatAdvisor.Tests.Api;

public class AskApiTests : IAsyncLifetime
{
    // No socket needed: the application in memory.
    private readonly AppFactory _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<HttpResponseMessage> PostAsync(string body, string contentType = "application/json")
        => _app.Client.PostAsync("/api/ask", new StringContent(body, Encoding.UTF8, contentType));

    [Fact]
    public async Task Ask_Question_ReturnsExactlyTheContractFields()
    {
        var response = await _app.Client.PostAsJsonAsync("/api/ask", new { question = "Which framework should I use for a high-traffic ML inference API?" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(["conversationId", "answer", "grounded", "citations", "suggestions"], root.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("c-", root.GetProperty("conversationId").GetString());
        Assert.Contains("**FastAPI** [1]", root.GetProperty("answer").GetString());
        Assert.True(root.GetProperty("grounded").GetBoolean());
        var citation = root.GetProperty("citations")[0];
        Assert.Equal(["id", "documentId", "title", "section", "quote"], citation.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, citation.GetProperty("id").GetInt32());
        Assert.True(root.GetProperty("suggestions").GetArrayLength() > 0);
    }

    [Fact]
    public async Task Ask_FollowUpWithConversationId_ResolvesAgainstTheEarlierTurn()
    {
        var first = await (await _app.Client.PostAsJsonAsync("/api/ask", new { question = "What are the advantages of Flask?" })).Content.ReadFromJsonAsync<JsonElement>();
        var id = first.GetProperty("conversationId").GetString();

        var second = await (await _app.Client.PostAsJsonAsync("/api/ask", new { question = "And its disadvantages?", conversationId = id })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(id, second.GetProperty("conversationId").GetString());
        Assert.Contains("disadvantages of Flask", second.GetProperty("answer").GetString());
    }

    [Fact]
    public async Task Ask_UnknownConversationId_StartsThatConversation()
    {
        var response = await _app.Client.PostAsJsonAsync("/api/ask", new { question = "Who created Flask?", conversationId = "my-own-id-42" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("my-own-id-42", body.GetProperty("conversationId").GetString());
    }

    [Fact]
    public async Task Ask_OutOfScope_IsNotGroundedAndCitesNothing()
    {
        var body = await (await _app.Client.PostAsJsonAsync("/api/ask", new { question = "What is the capital of Australia?" })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.False(body.GetProperty("grounded").GetBoolean());
        Assert.Equal(0, body.GetProperty("citations").GetArrayLength());
    }

    [Theory]
    [InlineData("{\"question\": \"\"}", "Invalid question")]
    [InlineData("{\"question\": \"   \"}", "Invalid question")]
    [InlineData("{}", "Invalid question")]
    [InlineData("{\"question\": ", "Malformed JSON")]
    [InlineData("[1, 2]", "Malformed JSON")]
    [InlineData("null", "Malformed JSON")]
    [InlineData("{\"question\": 42}", "Malformed JSON")]
    [InlineData("{\"question\": \"Flask?\", \"conversationId\": \"bad id with spaces\"}", "Invalid conversation id")]
    public async Task Ask_BadBody_Gets400ProblemDetails(string body, string title)
    {
        var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("\u200B\u200B\u200B")]
    [InlineData("\u200C\u200D\u2060")]
    [InlineData(" \uFEFF\u200B ")]
    public async Task Ask_QuestionOfInvisibleCharactersOnly_Gets400LikeAnEmptyQuestion(string question)
    {
        var empty = await (await _app.Client.PostAsJsonAsync("/api/ask", new { question = "" })).Content.ReadFromJsonAsync<JsonElement>();

        var response = await _app.Client.PostAsJsonAsync("/api/ask", new { question });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Invalid question", problem.GetProperty("title").GetString());
        Assert.Equal(empty.GetProperty("detail").GetString(), problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Ask_QuestionOf4001Characters_Gets400_4000IsAccepted()
    {
        var tooLong = await _app.Client.PostAsJsonAsync("/api/ask", new { question = new string('a', 4001) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("4001", await tooLong.Content.ReadAsStringAsync());

        var atLimit = await _app.Client.PostAsJsonAsync("/api/ask", new { question = "Which framework for an API? " + new string('x', 3972) });
        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
    }

    [Fact]
    public async Task Ask_WrongContentType_Gets415ProblemDetails()
    {
        var response = await PostAsync("question=Flask", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Ask_BadRequestInConversation_LosesNoTurn()
    {
        var first = await (await _app.Client.PostAsJsonAsync("/api/ask", new { question = "What are the advantages of Flask?" })).Content.ReadFromJsonAsync<JsonElement>();
        var id = first.GetProperty("conversationId").GetString();
        await _app.Client.PostAsJsonAsync("/api/ask", new { question = "", conversationId = id });

        var second = await (await _app.Client.PostAsJsonAsync("/api/ask", new { question = "And its disadvantages?", conversationId = id })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("disadvantages of Flask", second.GetProperty("answer").GetString());
    }

    [Fact]
    public async Task Health_Endpoints_ReportProcessAndIndex()
    {
        Assert.Equal(HttpStatusCode.OK, (await _app.Client.GetAsync("/healthz")).StatusCode);
        await _app.Client.PostAsJsonAsync("/api/ask", new { question = "Who created Flask?" });

        var ready = await _app.Client.GetAsync("/readyz");
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.True(body.GetProperty("ready").GetBoolean());
        Assert.Contains("4 articles", body.GetProperty("components").GetProperty("index").GetProperty("detail").GetString());
    }
}

public class ConversationPersistenceTests
{
    [Fact]
    public async Task Ask_AfterServerRestart_ContinuesTheConversation()
    {
        var storage = Path.Combine(Path.GetTempPath(), "chatadvisor-restart-" + Guid.NewGuid().ToString("N"));
        string id;
        await using (var server = await TestServer.StartAsync(storagePath: storage))
        {
            var first = await (await server.Client.PostAsJsonAsync("/api/ask", new { question = "What are the advantages of Flask?" })).Content.ReadFromJsonAsync<JsonElement>();
            id = first.GetProperty("conversationId").GetString()!;
        }

        await using (var restarted = await TestServer.StartAsync(storagePath: storage))
        {
            var second = await (await restarted.Client.PostAsJsonAsync("/api/ask", new { question = "And its disadvantages?", conversationId = id })).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("disadvantages of Flask", second.GetProperty("answer").GetString());
        }
        Directory.Delete(storage, recursive: true);
    }
}

public class StartupValidationTests
{
    [Theory]
    [InlineData("Chunking:OverlapTokens", "500", "Chunking:OverlapTokens (500) must be smaller than Chunking:MaxTokens")]
    [InlineData("Retrieval:TopK", "0", "Retrieval:TopK must be between 1 and 100")]
    [InlineData("Storage:MaxTurnsPerConversation", "1", "Storage:MaxTurnsPerConversation must be at least 2")]
    public async Task Start_BrokenSetting_FailsNamingTheSetting(string key, string value, string message)
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => TestServer.StartAsync(new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(message, e.Message);
    }
}
