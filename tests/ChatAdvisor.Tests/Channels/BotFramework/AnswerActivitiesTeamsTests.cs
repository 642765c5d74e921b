using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ChatAdvisor.Channels.BotFramework;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;

namespace ChatAdvisor.Tests.Channels.BotFramework;

/// <summary>The reply in Teams' style: native citations exactly as Teams accepts them.</summary>
public sealed partial class AnswerActivitiesTeamsTests
{
    private static Activity Inbound(string channelId = "msteams", string conversationType = "personal") => new()
    {
        Type = "message",
        Id = "1712345678901",
        ChannelId = channelId,
        ServiceUrl = "https://smba.trafficmanager.net/amer/",
        From = new ChannelAccount { Id = "29:user", Name = "Ada", AadObjectId = "aad-user" },
        Recipient = new ChannelAccount { Id = "28:bot", Name = "ChatAdvisor" },
        Conversation = new ConversationAccount { Id = "a:conv", ConversationType = conversationType },
        Text = "Django or FastAPI?",
    };

    private static Citation Cite(int id, string title = "Choosing Django", string quote = "Django ships an ORM, migrations and an admin site.", string? url = "https://example.org/articles/choosing-django")
        => new(id, "article-" + id, title, "Strengths", quote) { Url = url };

    private static JsonObject Serialize(Activity activity)
        => JsonNode.Parse(JsonSerializer.Serialize(activity, BotJson.Options))!.AsObject();

    [Fact]
    public void RenderAnswer_WithAPublicAddress_CitationsOpenTheArticlePageAtTheQuote()
    {
        var answer = new AdvisorAnswer("msteams:a:conv", "ans-1", "Django bundles an ORM [1]; FastAPI builds on Starlette [2].", Grounded: true,
            [Cite(1), Cite(2, "FastAPI overview", "FastAPI is built on Starlette & Pydantic.", url: null)], []);

        var linked = Serialize(AnswerActivities.Answer(answer, Inbound(), ReplyStyle.Teams.WithArticleLinks("https://advisor.example/chat/")));
        var plain = Serialize(AnswerActivities.Answer(answer, Inbound(), ReplyStyle.Teams.WithArticleLinks("")));

        static List<string> Urls(JsonObject json) => [.. json["entities"]![0]!["citation"]!.AsArray().Select(c => (string?)c!["appearance"]!["url"] ?? "(none)")];
        Assert.Equal<string>(
            ["https://advisor.example/chat/articles/article-1#quote=Django%20ships%20an%20ORM%2C%20migrations%20and%20an%20admin%20site.",
             "https://advisor.example/chat/articles/article-2#quote=FastAPI%20is%20built%20on%20Starlette%20%26%20Pydantic."],
            Urls(linked));
        // Without a public address a citation links to the article's own address, when it has one.
        Assert.Equal<string>(["https://example.org/articles/choosing-django", "(none)"], Urls(plain));
    }

    [Fact]
    public void RenderAnswer_TeamsMessage_HasExactlyTheNativeCitationShape()
    {
        var answer = new AdvisorAnswer("msteams:a:conv", "ans-1",
            "Django bundles an ORM and admin [1]; FastAPI builds on Starlette and Pydantic [2].\nFlask stays minimal [1].",
            Grounded: true,
            [Cite(1), Cite(2, "FastAPI overview", "FastAPI is built on Starlette and Pydantic.", url: null), Cite(3, "Unused", "Never referenced.")],
            ["What are the cons of Flask?"]);

        var json = Serialize(AnswerActivities.Answer(answer, Inbound(), ReplyStyle.ForChannel(Inbound().ChannelId)));

        Assert.Equal(
            ["channelData", "conversation", "entities", "from", "recipient", "replyToId", "suggestedActions", "text", "textFormat", "type"],
            json.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("message", (string?)json["type"]);
        Assert.Equal("markdown", (string?)json["textFormat"]);
        Assert.Equal("1712345678901", (string?)json["replyToId"]);
        Assert.Equal("28:bot", (string?)json["from"]!["id"]);
        Assert.Equal("29:user", (string?)json["recipient"]!["id"]);
        Assert.Equal("""{"feedbackLoop":{"type":"default"}}""", json["channelData"]!.ToJsonString());
        Assert.Equal("Django bundles an ORM and admin [1]; FastAPI builds on Starlette and Pydantic [2].\n\nFlask stays minimal [1].", (string?)json["text"]);

        var message = Assert.Single(json["entities"]!.AsArray())!.AsObject();
        Assert.Equal(["@context", "@id", "@type", "additionalType", "citation", "type"], message.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("https://schema.org/Message", (string?)message["type"]);
        Assert.Equal("Message", (string?)message["@type"]);
        Assert.Equal("https://schema.org", (string?)message["@context"]);
        Assert.Equal("", (string?)message["@id"]);
        Assert.Equal("""["AIGeneratedContent"]""", message["additionalType"]!.ToJsonString());

        var claims = message["citation"]!.AsArray().Select(c => c!.AsObject()).ToList();
        Assert.Equal(2, claims.Count);
        Assert.All(claims, c => Assert.Equal(["@type", "appearance", "position"], c.Select(p => p.Key).Order(StringComparer.Ordinal)));
        Assert.All(claims, c => Assert.Equal("Claim", (string?)c["@type"]));
        Assert.All(claims, c => Assert.Equal(JsonValueKind.Number, c["position"]!.GetValueKind()));
        Assert.Equal(Markers((string)json["text"]!), claims.Select(c => (int)c["position"]!).ToHashSet());

        var first = claims[0]["appearance"]!.AsObject();
        Assert.Equal(["@type", "abstract", "image", "name", "url"], first.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("DigitalDocument", (string?)first["@type"]);
        Assert.Equal("Choosing Django — Strengths", (string?)first["name"]);
        Assert.Equal("https://example.org/articles/choosing-django", (string?)first["url"]);
        Assert.Equal("Django ships an ORM, migrations and an admin site.", (string?)first["abstract"]);
        Assert.Equal("""{"@type":"ImageObject","name":"Text"}""", first["image"]!.ToJsonString());
        Assert.Null(claims[1]["appearance"]!["url"]);

        Assert.Equal("""{"actions":[{"type":"imBack","title":"What are the cons of Flask?","value":"What are the cons of Flask?"}]}""", json["suggestedActions"]!.ToJsonString());
    }

    [Fact]
    public void RenderAnswer_MoreThan20CitationsAndLongTexts_StaysWithinTeamsLimits()
    {
        var text = string.Join(" ", Enumerable.Range(1, 25).Select(n => $"Claim {n} [{n}]."));
        var longQuote = string.Concat(Enumerable.Repeat("FastAPI validates requests with type hints and Pydantic models. ", 10));
        var longTitle = new string('T', 120);
        var answer = new AdvisorAnswer("c", "ans-2", text, true, [.. Enumerable.Range(1, 25).Select(n => Cite(n, longTitle, longQuote))], []);

        var json = Serialize(AnswerActivities.Answer(answer, Inbound(), ReplyStyle.ForChannel(Inbound().ChannelId)));

        var claims = json["entities"]![0]!["citation"]!.AsArray();
        Assert.Equal(ReplyStyle.Teams.MaxCitations, claims.Count);
        Assert.Equal(Enumerable.Range(1, 20).ToHashSet(), Markers((string)json["text"]!));
        Assert.All(claims, c => Assert.InRange(((string)c!["appearance"]!["abstract"]!).Length, 1, ReplyStyle.Teams.MaxAbstractLength));
        Assert.All(claims, c => Assert.InRange(((string)c!["appearance"]!["name"]!).Length, 1, ReplyStyle.Teams.MaxNameLength));
        Assert.Null(json["suggestedActions"]);
    }

    [Fact]
    public void RenderAnswer_MarkerWithoutCitation_IsRemovedFromText()
    {
        var answer = new AdvisorAnswer("c", "ans-3", "Flask is a microframework [1] with extensions [4].", true, [Cite(1)], []);

        var json = Serialize(AnswerActivities.Answer(answer, Inbound(), ReplyStyle.ForChannel(Inbound().ChannelId)));

        Assert.Equal("Flask is a microframework [1] with extensions .", (string?)json["text"]);
        Assert.Single(json["entities"]![0]!["citation"]!.AsArray());
    }

    [Fact]
    public void RenderAnswer_NotGrounded_OneRootEntityWithAiLabelAndNoCitations()
    {
        var answer = new AdvisorAnswer("c", "ans-4", "The articles don't cover the weather.", false, [], ["Which framework is best for beginners?"]);

        var json = Serialize(AnswerActivities.Answer(answer, Inbound(), ReplyStyle.ForChannel(Inbound().ChannelId)));

        var message = Assert.Single(json["entities"]!.AsArray())!;
        Assert.Null(message["citation"]);
        Assert.Equal("AIGeneratedContent", (string?)message["additionalType"]![0]);
    }

    [Fact]
    public void RenderAnswer_GroupChat_NoSuggestedActions()
    {
        var answer = new AdvisorAnswer("c", "ans-5", "Django [1].", true, [Cite(1)], ["And Flask?"]);

        var json = Serialize(AnswerActivities.Answer(answer, Inbound(conversationType: "groupChat"), ReplyStyle.ForChannel(Inbound(conversationType: "groupChat").ChannelId)));

        Assert.Null(json["suggestedActions"]);
    }

    [Fact]
    public void RenderAnswer_OtherChannel_AddsLinkDefinitionsForWebChat()
    {
        var answer = new AdvisorAnswer("c", "ans-6", "Django [1], FastAPI [2].", true, [Cite(1), Cite(2, "FastAPI \"overview\"", url: null)], []);

        var json = Serialize(AnswerActivities.Answer(answer, Inbound(channelId: "emulator"), ReplyStyle.ForChannel(Inbound(channelId: "emulator").ChannelId)));

        Assert.EndsWith("\n\n[1]: https://example.org/articles/choosing-django \"Choosing Django — Strengths\"\n[2]: cite:2 \"FastAPI \\\"overview\\\" — Strengths\"", (string)json["text"]!);
    }

    [Theory]
    [InlineData("<at>ChatAdvisor</at> Which framework for an API?", true, "Which framework for an API?")]
    [InlineData("<at>ChatAdvisor</at>&nbsp;Django or Flask?", true, "Django or Flask?")]
    [InlineData("<at>ChatAdvisor</at> ask <at>Bob</at>", true, "ask <at>Bob</at>")]
    [InlineData("<at>ChatAdvisor</at> Which framework?", false, "Which framework?")]
    public void StripBotMention_TeamsMention_LeavesTheQuestion(string text, bool withEntity, string expected)
    {
        var activity = Inbound();
        activity.Text = text;
        if (withEntity)
        {
            activity.Entities =
            [
                new JsonObject { ["type"] = "mention", ["text"] = "<at>Bob</at>", ["mentioned"] = new JsonObject { ["id"] = "29:bob" } },
                new JsonObject { ["type"] = "mention", ["text"] = "<at>ChatAdvisor</at>", ["mentioned"] = new JsonObject { ["id"] = "28:bot" } },
            ];
        }

        Assert.Equal(expected, BotTurnHandler.StripBotMention(activity));
    }

    [Fact]
    public void ConversationKey_PersonalAndGroupChats_OnePerConversationAndPerUserInGroups()
    {
        var personal = Inbound();
        var group = Inbound(conversationType: "groupChat");
        var otherUserInGroup = Inbound(conversationType: "groupChat");
        otherUserInGroup.From = new ChannelAccount { Id = "29:other", AadObjectId = "aad-other" };

        Assert.Equal("msteams:a:conv", BotTurnHandler.ConversationKey(personal));
        Assert.Equal("msteams:a:conv:aad-user", BotTurnHandler.ConversationKey(group));
        Assert.NotEqual(BotTurnHandler.ConversationKey(group), BotTurnHandler.ConversationKey(otherUserInGroup));
    }

    [Fact]
    public void ConversationKey_IdWithCharactersTheAdvisorRefuses_StillValidAndStable()
    {
        var activity = Inbound();
        activity.Conversation!.Id = "a:1Xk/9+=|" + new string('z', 300);

        var key = BotTurnHandler.ConversationKey(activity);

        Assert.True(ConversationIds.IsValid(key));
        Assert.Equal(key, BotTurnHandler.ConversationKey(activity));
    }

    private static HashSet<int> Markers(string text) => [.. MarkerPattern().Matches(text).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex MarkerPattern();
}
