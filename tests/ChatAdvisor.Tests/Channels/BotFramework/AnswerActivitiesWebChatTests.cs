using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Text.Json;
using ChatAdvisor.Channels;
using ChatAdvisor.Channels.BotFramework;
using ChatAdvisor.Channels.DirectLine;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Ingestion;

namespace ChatAdvisor.Tests.Channels.BotFramework;

/// <summary>The reply in Web Chat's style, as the web chat page receives it through Direct Line.</summary>
public sealed partial class AnswerActivitiesWebChatTests
{
    private static JsonObject Answer(AdvisorAnswer answer, string replyToId)
        => ToJson(AnswerActivities.Answer(answer, new Activity { Id = replyToId, Recipient = DirectLineReplySink.Bot }, ReplyStyle.WebChat));

    private static JsonObject ToJson(Activity activity) => JsonSerializer.SerializeToNode(activity, BotJson.Options)!.AsObject();

    private static Activity ToActivity(JsonObject json) => json.Deserialize<Activity>(BotJson.Options)!;

    private static AdvisorAnswer SampleAnswer(params Citation[] citations) => new(
        "webchat:dl-1", "answer-42", "FastAPI suits inference APIs [1]. Django bundles an admin [2].", citations.Length > 0, citations,
        ["What are the disadvantages of FastAPI?", "And Django?"]);

    private static readonly Citation FastApi = new(1, "which-web", "Which web Python backend to choose", "Performance",
        "FastAPI is one of the fastest Python frameworks.") { Author = "Jane Doe", Url = "https://example.org/which" };

    private static readonly Citation Django = new(2, "mvf", "Python \"MVF\"", null, "Django ships an ORM and an admin.");

    [Fact]
    public void Answer_WithCitations_EndsWithLinkDefinitionsThatMatchTheClaims()
    {
        var activity = Answer(SampleAnswer(FastApi, Django), "dl-1|0000003");

        var text = activity["text"]!.GetValue<string>();
        var definitions = DefinitionPattern().Matches(text).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.Equal([("1", "Which web Python backend to choose — Performance"), ("2", "Python \\\"MVF\\\"")], definitions);

        var message = activity["entities"]![0]!.AsObject();
        Assert.Equal("https://schema.org/Message", message["type"]!.GetValue<string>());
        Assert.Equal("", message["@id"]!.GetValue<string>());
        var positions = message["citation"]!.AsArray().Select(c => c!["position"]!.GetValue<int>()).ToList();
        Assert.Equal([1, 2], positions);
        Assert.Equal("dl-1|0000003", activity["replyToId"]!.GetValue<string>());
    }

    [Fact]
    public void Answer_Claim_ShowsTheQuoteAndNoUrlSoTheDialogOpens()
    {
        var activity = Answer(SampleAnswer(FastApi, Django), "r");

        var appearance = activity["entities"]![0]!["citation"]![0]!["appearance"]!.AsObject();
        Assert.False(appearance.ContainsKey("url"));
        var text = appearance["text"]!.GetValue<string>();
        Assert.Contains("> FastAPI is one of the fastest Python frameworks.", text, StringComparison.Ordinal);
        Assert.Contains("[Read the article](<https://example.org/which>)", text, StringComparison.Ordinal);
        Assert.Contains("Jane Doe", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_QuoteWithMarkdownCharacters_IsEscapedToReadVerbatim()
    {
        var quote = new Citation(1, "d", "T", null, "Use *args and __init__ [sic] <b>\n- not a list\n1. not a list either");

        var text = Answer(SampleAnswer(quote), "r")["entities"]![0]!["citation"]![0]!["appearance"]!["text"]!.GetValue<string>();

        Assert.Contains(@"> Use \*args and \_\_init\_\_ \[sic\] \<b\>\", text, StringComparison.Ordinal);
        Assert.Contains(@"> \- not a list\", text, StringComparison.Ordinal);
        Assert.Contains(@"> 1\. not a list either", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_AdjacentMarkers_StaySeparateCitations()
    {
        var answer = SampleAnswer(FastApi, Django) with { Text = "Both hold [1][2]." };

        var text = Answer(answer, "r")["text"]!.GetValue<string>();

        Assert.StartsWith("Both hold [1] [2].", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_Suggestions_BecomeImBackActions()
    {
        var activity = Answer(SampleAnswer(FastApi), "r");

        var actions = activity["suggestedActions"]!["actions"]!.AsArray();
        Assert.Equal(["What are the disadvantages of FastAPI?", "And Django?"], actions.Select(a => a!["value"]!.GetValue<string>()));
        Assert.All(actions, a => Assert.Equal("imBack", a!["type"]!.GetValue<string>()));
    }

    [Fact]
    public void Answer_NotGrounded_HasNoReferenceListButCanBeRated()
    {
        var answer = new AdvisorAnswer("c", "answer-7", "The articles do not cover that.", false, [], []);

        var activity = Answer(answer, "r");

        Assert.Equal("The articles do not cover that.", activity["text"]!.GetValue<string>());
        Assert.Empty(activity["entities"]![0]!["citation"]!.AsArray());
        Assert.Equal(2, activity["entities"]![0]!["potentialAction"]!.AsArray().Count);
        Assert.False(activity.ContainsKey("suggestedActions"));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void TryReadFeedback_ActionClickedInWebChat_NamesTheRatedAnswer(int actionIndex, bool positive)
    {
        var answer = SampleAnswer(FastApi) with { AnswerId = "a/b c&d" };
        var action = Answer(answer, "r")["entities"]![0]!["potentialAction"]![actionIndex]!.DeepClone();
        // What Web Chat posts when a thumb is clicked: the action object itself, no replyToId.
        var feedbackEvent = new JsonObject { ["type"] = "event", ["name"] = AnswerActivities.FeedbackEventName, ["entities"] = new JsonArray(action) };

        Assert.True(AnswerActivities.TryReadFeedback(ToActivity(feedbackEvent), out var answerId, out var liked));
        Assert.Equal("a/b c&d", answerId);
        Assert.Equal(positive, liked);
    }

    [Fact]
    public void TryReadFeedback_EventWithoutAction_IsIgnored()
    {
        var feedbackEvent = new JsonObject { ["type"] = "event", ["name"] = AnswerActivities.FeedbackEventName, ["entities"] = new JsonArray() };

        Assert.False(AnswerActivities.TryReadFeedback(ToActivity(feedbackEvent), out _, out _));
    }

    [Fact]
    public void Welcome_ListsTheArticlesAndSuggestsStarterQuestions()
    {
        Article[] articles = [new("a", "Django, Flask or FastAPI?", "text", []) { Author = "Ann", Publisher = "Blog" }];

        string[] starters = ["Which framework for an API?", "Which is easiest?"];

        var activity = ToJson(AnswerActivities.Text(AdvisorTexts.Welcome("Hello!", articles), new Activity { Recipient = DirectLineReplySink.Bot }, ReplyStyle.WebChat, starters));

        Assert.StartsWith("Hello! ", activity["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("- Django, Flask or FastAPI? (Ann, Blog)", activity["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(starters, activity["suggestedActions"]!["actions"]!.AsArray().Select(a => a!["title"]!.GetValue<string>()));
    }

    [GeneratedRegex("""^\[(\d+)\]: cite:\d+ "(.*)"$""", RegexOptions.Multiline)]
    private static partial Regex DefinitionPattern();
}
