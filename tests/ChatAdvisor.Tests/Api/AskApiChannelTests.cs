using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ChatAdvisor.Tests.Api;

public class AskApiChannelTests
{
    [Fact]
    public async Task Ask_WithASlackThreadId_NeitherReadsNorAppendsToTheThread()
    {
        await using var server = new AppFactory();
        const string slackThread = "slack:T1:C1:1712345678.000100";
        await server.Services.GetRequiredService<Advisor>().AskAsync("What are the advantages of Flask?", slackThread);

        var response = await server.Client.PostAsJsonAsync("/api/ask", new { question = "And its disadvantages?", conversationId = slackThread });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("disadvantages of Flask", body.GetProperty("answer").GetString());
        var turns = await server.Services.GetRequiredService<IConversationStore>().GetTurnsAsync(slackThread);
        Assert.Equal(["What are the advantages of Flask?"], turns.Select(t => t.Question));
    }

    [Fact]
    public async Task Ask_WithAWebChatId_DoesNotReachTheWebChatConversation()
    {
        await using var server = new AppFactory();
        const string webChat = "webchat:abc123";
        await server.Services.GetRequiredService<Advisor>().AskAsync("What are the advantages of Flask?", webChat);

        await server.Client.PostAsJsonAsync("/api/ask", new { question = "Who created Django?", conversationId = webChat });

        Assert.Single(await server.Services.GetRequiredService<IConversationStore>().GetTurnsAsync(webChat));
    }
}
