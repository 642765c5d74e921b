using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ChatAdvisor.Tests.Channels.BotFramework;

/// <summary>Questions asked through the fake Teams channel get the advisor's real answers, with native citations.</summary>
public sealed partial class BotFrameworkAnswerTests(BotFrameworkFixture fixture) : IClassFixture<BotFrameworkFixture>
{
    private FakeChannel Channel => fixture.Channel;

    [Fact]
    public async Task Message_ValidToken_OneReplyWithCitationsMatchingMarkers()
    {
        var conversationId = "a:answer-" + Guid.NewGuid().ToString("N");
        var activity = Channel.Activity("message", conversationId, "<at>ChatAdvisor</at> Which framework should I use for a high-traffic ML inference API?");
        activity["entities"] = new JsonArray(new JsonObject
        {
            ["type"] = "mention",
            ["text"] = "<at>ChatAdvisor</at>",
            ["mentioned"] = new JsonObject { ["id"] = "28:" + FakeChannel.AppId, ["name"] = "ChatAdvisor" },
        });

        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, Channel.CreateToken(Channel.ServiceUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");
        var text = reply.Body["text"]!.GetValue<string>();
        var message = Assert.Single(reply.Body["entities"]!.AsArray())!;
        var positions = message["citation"]!.AsArray().Select(c => c!["position"]!.GetValue<int>()).ToHashSet();
        Assert.NotEmpty(positions);
        Assert.Equal(Markers(text), positions);
        Assert.Equal("default", reply.Body["channelData"]!["feedbackLoop"]!["type"]!.GetValue<string>());

        // The bot's @mention is not part of the question the advisor was asked.
        Assert.Contains(fixture.Logs.Lines, l => l.Contains($"Turn {activity["id"]} in ", StringComparison.Ordinal)
            && l.Contains(": question Which framework should I use for a high-traffic ML inference API? [", StringComparison.Ordinal));

        // A typing indicator went out before the answer, and exactly one answer was delivered.
        var received = Channel.ReceivedIn(conversationId);
        Assert.Equal("typing", received[0].Type);
        Assert.Single(received, r => r.Type == "message");
    }

    [Fact]
    public async Task Message_ExpectReplies_AnswerInResponseBody()
    {
        var conversationId = "a:expect-answer-" + Guid.NewGuid().ToString("N");
        var activity = Channel.Activity("message", conversationId, "Django vs Flask vs FastAPI: how do they compare?");
        activity["deliveryMode"] = "expectReplies";

        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, Channel.CreateToken(Channel.ServiceUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var reply = Assert.Single(body["activities"]!.AsArray())!;
        Assert.Equal(Markers(reply["text"]!.GetValue<string>()), reply["entities"]![0]!["citation"]!.AsArray().Select(c => c!["position"]!.GetValue<int>()).ToHashSet());
        Assert.Empty(Channel.ReceivedIn(conversationId));
    }

    [Fact]
    public async Task Message_InvisibleCharactersOnly_GetsTheEmptyMessageHint()
    {
        var conversationId = "a:invisible-" + Guid.NewGuid().ToString("N");
        var activity = Channel.Activity("message", conversationId, "\u200B\u2060\uFEFF");
        activity["deliveryMode"] = "expectReplies";

        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, activity, Channel.CreateToken(Channel.ServiceUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var reply = Assert.Single(body["activities"]!.AsArray())!;
        Assert.StartsWith("Your message is empty.", reply["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEmpty(reply["suggestedActions"]!["actions"]!.AsArray());
    }

    [Fact]
    public async Task SubmitAction_FeedbackOnAnAnswer_RecordedAndAnsweredWithEmptyObject()
    {
        var conversationId = "a:feedback-" + Guid.NewGuid().ToString("N");
        var question = Channel.Activity("message", conversationId, "What are the pros and cons of Flask?");
        using (var asked = await Channel.PostAsync(fixture.Bot.BaseAddress, question, Channel.CreateToken(Channel.ServiceUrl)))
            Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var answer = await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message" && r.Status == 200);
        // The bot learns the reply's id from the Connector's response, a moment after the fake has seen the reply;
        // in Teams nobody can click that fast.
        await WaitForLogAsync($"Turn {question["id"]}: answer ");

        var invoke = Channel.Activity("invoke", conversationId);
        invoke["name"] = "message/submitAction";
        invoke["replyToId"] = answer.AssignedId;
        invoke["value"] = new JsonObject
        {
            ["actionName"] = "feedback",
            ["actionValue"] = new JsonObject { ["reaction"] = "dislike", ["feedback"] = JsonSerializer.Serialize(new { feedbackText = "Missing the async story" }) },
        };
        using var response = await Channel.PostAsync(fixture.Bot.BaseAddress, invoke, Channel.CreateToken(Channel.ServiceUrl));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        Assert.Contains(fixture.Logs.Lines, l => l.Contains("Feedback from msteams on answer", StringComparison.Ordinal) && l.Contains(": dislike (recorded: True)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Message_FollowUpInSameConversation_KeepsContext()
    {
        var conversationId = "a:followup-" + Guid.NewGuid().ToString("N");
        var token = Channel.CreateToken(Channel.ServiceUrl);
        using (await Channel.PostAsync(fixture.Bot.BaseAddress, Channel.Activity("message", conversationId, "What are the advantages of Flask?"), token))
        {
        }
        await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message");

        var followUp = Channel.Activity("message", conversationId, "and what about its disadvantages?");
        using (await Channel.PostAsync(fixture.Bot.BaseAddress, followUp, token))
        {
        }
        var reply = await Channel.WaitForAsync(r => r.ConversationId == conversationId && r.Type == "message" && r.ReplyToId == followUp["id"]!.GetValue<string>());

        Assert.Contains("Flask", reply.Body["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task WaitForLogAsync(string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!fixture.Logs.Lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
            await Task.Delay(20, timeout.Token);
    }

    private static HashSet<int> Markers(string text) => [.. MarkerPattern().Matches(text).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex MarkerPattern();
}
