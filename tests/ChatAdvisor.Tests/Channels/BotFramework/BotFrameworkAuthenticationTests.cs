using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace ChatAdvisor.Tests.Channels.BotFramework;

/// <summary>
/// Inbound authentication against a fake channel that signs with its own keys: every forged or misdirected
/// token is refused with 401 and makes the bot send nothing, anywhere.
/// </summary>
public sealed class BotFrameworkAuthenticationTests(BotFrameworkFixture fixture) : IClassFixture<BotFrameworkFixture>
{
    private FakeChannel Channel => fixture.Channel;

    public static TheoryData<string, string> Forgeries => new()
    {
        { "no token", "no bearer token" },
        { "basic scheme", "no bearer token" },
        { "alg none", "not a signed JWT" },
        { "alg none with a signature", "algorithm not RS256" },
        { "HS256 signed with the public key", "algorithm not RS256" },
        { "RS384 header", "algorithm not RS256" },
        { "tampered payload", "bad signature" },
        { "wrong audience", "wrong audience" },
        { "wrong issuer", "wrong issuer" },
        { "expired", "expired" },
        { "not yet valid", "not yet valid" },
        { "no exp", "no exp" },
        { "unknown kid", "unknown kid" },
        { "signed by an unpublished key under the published kid", "bad signature" },
        { "serviceurl mismatch", "serviceurl claim does not match" },
        { "no serviceurl claim", "serviceurl claim does not match" },
        { "missing endorsement", "key not endorsed" },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task PostActivity_ForgedOrInvalidToken_Returns401AndSendsNothing(string forgery, string reason)
    {
        var conversationId = "a:auth-" + Guid.NewGuid().ToString("N");
        var activity = Channel.Activity("message", conversationId, "Which framework is best for beginners?");
        var tokenRequestsBefore = Channel.TokenRequests;

        var (token, scheme) = Channel.Forge(forgery, activity);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Bot.BaseAddress, "api/messages"))
        {
            Content = new StringContent(activity.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
            request.Headers.Authorization = new(scheme, token);
        using var response = await Channel.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        // Why the token was refused goes to the log only, never to the caller.
        Assert.DoesNotContain(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(fixture.Logs.Lines, l => l.Contains($"Refused activity {activity["id"]}: {reason}", StringComparison.Ordinal));
        Assert.Empty(Channel.ReceivedIn(conversationId));
        Assert.Equal(tokenRequestsBefore, Channel.TokenRequests);

        // A genuine activity in the same conversation afterwards is the only one the bot replies to.
        var genuine = Channel.Activity("conversationUpdate", conversationId);
        using var accepted = await Channel.PostAsync(fixture.Bot.BaseAddress, genuine, Channel.CreateToken(Channel.ServiceUrl));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");
        Assert.All(Channel.ReceivedIn(conversationId), r => Assert.Equal(genuine["id"]!.GetValue<string>(), r.ReplyToId));
    }

    [Fact]
    public async Task PostActivity_ValidToken_ReplyCarriesConnectorTokenAndEscapedConversationId()
    {
        var conversationId = "19:" + Guid.NewGuid().ToString("N") + "@thread.skype;messageid=1712";
        var activity = Channel.Activity("conversationUpdate", conversationId);

        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, Channel.CreateToken(Channel.ServiceUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");
        Assert.Equal("Bearer " + FakeChannel.AccessToken, reply.Authorization);
        Assert.Contains("/v3/conversations/19%3A", reply.RawTarget, StringComparison.Ordinal);
        Assert.Contains("%40thread.skype%3Bmessageid%3D1712/activities/", reply.RawTarget, StringComparison.Ordinal);
        Assert.Equal(activity["id"]!.GetValue<string>(), reply.ReplyToId);

        // Client credentials for the Bot Connector scope, asked once and then served from the cache.
        var form = Assert.Single(Channel.TokenForms);
        Assert.Equal("client_credentials", form["grant_type"]);
        Assert.Equal(FakeChannel.AppId, form["client_id"]);
        Assert.Equal("https://api.botframework.com/.default", form["scope"]);
        Assert.Equal(1, Channel.TokenRequests);
    }

    [Fact]
    public async Task PostActivity_SameIdTwice_RepliesOnce()
    {
        var conversationId = "a:dup-" + Guid.NewGuid().ToString("N");
        var activity = Channel.Activity("conversationUpdate", conversationId);
        var token = Channel.CreateToken(Channel.ServiceUrl);

        using var first = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, token);
        using var second = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, token);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        // A later activity in the same conversation is a barrier: once its reply is in, the duplicate's would be too.
        var later = Channel.Activity("conversationUpdate", conversationId);
        using var third = await Channel.PostAsync(fixture.Bot.BaseAddress, later, token);
        await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.ReplyToId == later["id"]!.GetValue<string>() && r.Type == "message");

        var replies = Channel.ReceivedIn(conversationId).Where(r => r.Type == "message" && r.ReplyToId == activity["id"]!.GetValue<string>());
        Assert.Single(replies);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    [InlineData(429)]
    public async Task Reply_ConnectorAnswersRetryableErrorThenOk_DeliveredOnce(int status)
    {
        var conversationId = "a:retry-" + Guid.NewGuid().ToString("N");
        Channel.FailNext(conversationId, "message", status);
        var activity = Channel.Activity("conversationUpdate", conversationId);

        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, Channel.CreateToken(Channel.ServiceUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message" && r.Status == 200);
        var attempts = Channel.ReceivedIn(conversationId).Where(r => r.Type == "message").ToList();
        Assert.Equal([status, 200], attempts.Select(a => a.Status));
        Assert.Equal(attempts[0].Body.ToJsonString(), attempts[1].Body.ToJsonString());
    }

    [Fact]
    public async Task Reply_ConnectorAnswers400_NotRetried()
    {
        var conversationId = "a:no-retry-" + Guid.NewGuid().ToString("N");
        Channel.FailNext(conversationId, "message", 400);
        var token = Channel.CreateToken(Channel.ServiceUrl);
        var refused = Channel.Activity("conversationUpdate", conversationId);
        using (var response = await Channel.PostAsync(fixture.Bot.BaseAddress, refused, token))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Status == 400);

        // Turns of one conversation are handled in order: once the next turn's reply is in, a retry would be too.
        var next = Channel.Activity("conversationUpdate", conversationId);
        using (var response = await Channel.PostAsync(fixture.Bot.BaseAddress, next, token))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.ReplyToId == next["id"]!.GetValue<string>() && r.Status == 200);

        Assert.Single(Channel.ReceivedIn(conversationId), r => r.ReplyToId == refused["id"]!.GetValue<string>() && r.Type == "message");
    }

    [Fact]
    public async Task PostActivity_ExpectReplies_RepliesInResponseBodyAndNothingSent()
    {
        var conversationId = "a:expect-" + Guid.NewGuid().ToString("N");
        var activity = Channel.Activity("conversationUpdate", conversationId);
        activity["deliveryMode"] = "expectReplies";

        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, Channel.CreateToken(Channel.ServiceUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var reply = Assert.Single(body["activities"]!.AsArray())!.AsObject();
        Assert.Equal("message", reply["type"]!.GetValue<string>());
        Assert.Equal(activity["id"]!.GetValue<string>(), reply["replyToId"]!.GetValue<string>());
        Assert.Contains("Django", reply["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(Channel.ReceivedIn(conversationId));
    }

    [Fact]
    public async Task ConversationUpdate_BotAdded_WelcomesWithStarterQuestions()
    {
        var conversationId = "a:welcome-" + Guid.NewGuid().ToString("N");
        var activity = Channel.Activity("conversationUpdate", conversationId);

        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, Channel.CreateToken(Channel.ServiceUrl));

        var welcome = await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");
        var actions = welcome.Body["suggestedActions"]!["actions"]!.AsArray().Select(a => a!["value"]!.GetValue<string>());
        Assert.Equal(fixture.Bot.Services.GetRequiredService<ChatAdvisor.Core.Advisor>().StarterQuestions, actions);
        var articles = await fixture.Bot.Services.GetRequiredService<ChatAdvisor.Core.Advisor>().GetArticlesAsync();
        Assert.NotEmpty(articles);
        Assert.All(articles, a => Assert.Contains(a.Title, welcome.Body["text"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal("28:" + FakeChannel.AppId, welcome.Body["from"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task PostActivity_TenantNotAllowed_PoliteRefusalOnly()
    {
        var conversationId = "a:tenant-" + Guid.NewGuid().ToString("N");
        var activity = Channel.Activity("message", conversationId, "Which framework is best for beginners?");
        activity["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = "11111111-2222-3333-4444-555555555555" } };

        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, Channel.CreateToken(Channel.ServiceUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var refusal = await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");
        Assert.Contains("not available for your organisation", refusal.Body["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(refusal.Body["entities"]);
        Assert.Single(Channel.ReceivedIn(conversationId));
    }

    [Theory]
    [InlineData("type")]
    [InlineData("conversation")]
    public async Task PostActivity_MissingTypeOrConversation_Returns400(string field)
    {
        var activity = Channel.Activity("message", "a:bad-" + Guid.NewGuid().ToString("N"), "hello");
        if (field == "type")
            activity.Remove("type");
        else
            activity["conversation"] = new JsonObject { ["conversationType"] = "personal" };

        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, Channel.CreateToken(Channel.ServiceUrl));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task PostActivity_Typing_AcknowledgedWithoutReply()
    {
        var conversationId = "a:typing-" + Guid.NewGuid().ToString("N");
        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, Channel.Activity("typing", conversationId), Channel.CreateToken(Channel.ServiceUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Logs_AfterAuthenticatedTraffic_NeverContainThePassword()
    {
        var conversationId = "a:logs-" + Guid.NewGuid().ToString("N");
        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, Channel.Activity("conversationUpdate", conversationId), Channel.CreateToken(Channel.ServiceUrl));
        await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");

        Assert.NotEmpty(fixture.Logs.Lines);
        Assert.DoesNotContain(fixture.Logs.Lines, line => line.Contains(FakeChannel.AppPassword, StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Logs.Lines, line => line.Contains(FakeChannel.AccessToken, StringComparison.Ordinal));
    }
}
