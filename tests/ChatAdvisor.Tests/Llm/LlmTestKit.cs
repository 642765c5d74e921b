using System.Net;
using System.Net.Sockets;
using ChatAdvisor.Core.Answering.Llm;
using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Retrieval;
using ChatAdvisor.Llm;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Tests.Llm;

/// <summary>Builds the real answerer (the chat client pipeline over the OpenAI SDK, repository prompts) against a stub endpoint.</summary>
internal static class LlmTestKit
{
    public const string SecretKey = "sk-test-secret-0123456789";

    public static readonly string[] Passages =
    [
        "FastAPI is built on Starlette and Pydantic and is one of the fastest Python frameworks available.",
        "Django ships with an ORM, an admin interface and authentication, which suits large applications.",
        "Flask is a lightweight micro-framework that leaves the choice of database and structure to you.",
    ];

    public static IReadOnlyList<SearchHit> Hits() =>
    [
        .. Passages.Select((text, i) => new SearchHit(new Chunk(i, $"article-{i}", $"Article {i}", null, 0, text.Length, text, 30), 3 - i)),
    ];

    public static LlmOptions OpenAI(string endpoint, double timeoutSeconds = 5) => new()
    {
        Provider = "openai",
        Endpoint = endpoint,
        ApiKey = SecretKey,
        Model = "stub-model",
        TimeoutSeconds = timeoutSeconds,
        GenerateSuggestions = false,
    };

    public static (LlmAnswerer Answerer, LlmHealth Health) Create(LlmOptions options)
    {
        var wrapped = Options.Create(options);
        var health = new LlmHealth(wrapped, TimeProvider.System);
        var client = LlmChatClientFactory.Create(options, new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, health, NullLoggerFactory.Instance, TimeProvider.System);
        var prompts = PromptLibrary.Load(Path.Combine(RepoPaths.Root, "prompts"));
        return (new LlmAnswerer(client, prompts, wrapped, TimeProvider.System, NullLogger<LlmAnswerer>.Instance), health);
    }

    /// <summary>A loopback address where nothing listens, so connecting is refused.</summary>
    public static string RefusingEndpoint()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/v1";
    }
}
