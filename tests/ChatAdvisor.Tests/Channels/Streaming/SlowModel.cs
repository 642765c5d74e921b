using ChatAdvisor.Tests.Llm;

namespace ChatAdvisor.Tests.Channels.Streaming;

/// <summary>A language model on loopback that writes its answer slowly, so a channel has several updates to stream.</summary>
internal static class SlowModel
{
    /// <summary>The answer the model writes, a few characters at a time.</summary>
    public const string Answer = "FastAPI is one of the fastest Python frameworks available [1]. It is built on Starlette and Pydantic [1]. "
        + "That speed makes it a strong choice for a high-traffic ML inference API [1].";

    /// <summary>Starts the stub: the answer in 6-character pieces, <paramref name="chunkDelay"/> apart.</summary>
    public static async Task<StubOpenAIServer> StartAsync(TimeSpan chunkDelay)
    {
        var stub = await StubOpenAIServer.StartAsync();
        stub.Reply = request => request.Purpose == "answer"
            ? new StubReply.Text(Answer, ChunkLength: 6, chunkDelay)
            : new StubReply.Text("1. What are the disadvantages of FastAPI?");
        return stub;
    }

    /// <summary>The settings that make the server answer with <paramref name="stub"/>.</summary>
    public static Dictionary<string, string?> Settings(StubOpenAIServer stub) => new()
    {
        ["Llm:Provider"] = "openai",
        ["Llm:Endpoint"] = stub.V1,
        ["Llm:ApiKey"] = LlmTestKit.SecretKey,
        ["Llm:Model"] = "stub-model",
        ["Llm:TimeoutSeconds"] = "60",
        ["Llm:GenerateSuggestions"] = "false",
    };
}
