using ChatAdvisor.Channels.Slack;
using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Tests.Channels.Slack;

public sealed class SlackMessageRendererTests
{
    private static readonly string LongQuote =
        "FastAPI is a modern, fast (high-performance) web framework for building APIs with Python based on standard Python type hints. "
        + "It is designed to be easy to use and learn, and it produces automatic interactive documentation. Its performance is on par "
        + "with Node.js and Go thanks to Starlette and Pydantic, which makes it a good fit for machine learning inference services.";

    private static AdvisorAnswer Answer(string text, IReadOnlyList<Citation>? citations = null, IReadOnlyList<string>? suggestions = null, bool grounded = true)
        => new("slack:T1:C1:1.2", "a-123", text, grounded, citations ?? [], suggestions ?? []);

    private static SlackApiCall AsCall(System.Text.Json.Nodes.JsonObject message) => new("chat.postMessage", null, message, true);

    [Fact]
    public void Render_MarkdownWithSlackControlCharacters_EscapedAndMarkersKept()
    {
        var call = AsCall(SlackMessageRenderer.Render(Answer("Use **Django** when you need an ORM & admin <built in> [1]. *FastAPI* is async [2].")));

        var section = Assert.Single(call.BlockTexts("section"));
        Assert.Equal("Use *Django* when you need an ORM &amp; admin &lt;built in&gt; [1]. _FastAPI_ is async [2].", section);
        Assert.Equal(section, call.Text);
    }

    [Fact]
    public void Render_HeadingsListsAndLinks_ConvertedToMrkdwn()
    {
        var call = AsCall(SlackMessageRenderer.Render(Answer("## Summary\n- Flask is minimal [1]\n- See [the docs](https://flask.palletsprojects.com/?a=1&b=2)")));

        Assert.Equal("*Summary*\n• Flask is minimal [1]\n• See <https://flask.palletsprojects.com/?a=1&amp;b=2|the docs>", Assert.Single(call.BlockTexts("section")));
    }

    [Fact]
    public void Render_Citations_OneContextBlockPerSourceWithTitleAndVerbatimExcerpt()
    {
        var citations = new[]
        {
            new Citation(1, "fastapi-intro", "FastAPI <vs> the rest", "Performance", LongQuote) { Url = "https://example.org/fastapi" },
            new Citation(2, "flask-guide", "Flask & friends", null, "Flask is a micro framework."),
        };

        var call = AsCall(SlackMessageRenderer.Render(Answer("FastAPI is fast [1]; Flask is small [2].", citations)));

        Assert.Contains("*Sources*", call.BlockTexts("section"));
        var sources = call.BlockTexts("context");
        Assert.Equal(2, sources.Count);
        Assert.Equal("*[1]* <https://example.org/fastapi|FastAPI &lt;vs&gt; the rest> · Performance", sources[0].Split('\n')[0]);
        var excerpt = SlackText.Unescape(sources[0].Split('\n')[1]);
        Assert.StartsWith("“FastAPI is a modern", excerpt, StringComparison.Ordinal);
        Assert.EndsWith("…”", excerpt, StringComparison.Ordinal);
        Assert.StartsWith(excerpt.Trim('“', '”').TrimEnd('…'), LongQuote, StringComparison.Ordinal);
        Assert.True(excerpt.Length <= 205, $"excerpt of {excerpt.Length} characters");
        Assert.Equal("*[2] Flask &amp; friends*\n“Flask is a micro framework.”", sources[1]);
    }

    [Fact]
    public void Render_NotGrounded_NoSourcesSection()
    {
        var call = AsCall(SlackMessageRenderer.Render(Answer("The articles do not cover that.", grounded: false, suggestions: ["Which framework is best for beginners?"])));

        Assert.DoesNotContain("*Sources*", call.BlockTexts("section"));
        Assert.Empty(call.BlockTexts("context"));
        Assert.Contains(call.Buttons, b => b.Value == "Which framework is best for beginners?");
    }

    [Fact]
    public void Render_Suggestions_FollowUpButtonsCarryTheWholeQuestion()
    {
        var longQuestion = "What are the trade-offs between Django's batteries-included approach and FastAPI's minimal core for a team of five?";

        var call = AsCall(SlackMessageRenderer.Render(Answer("Text [1].", suggestions: ["What are the cons of Flask?", longQuestion])));

        var followUps = call.Buttons.Where(b => b.ActionId.StartsWith(SlackMessageRenderer.FollowUpAction, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, followUps.Count);
        Assert.Equal(followUps.Count, followUps.Select(b => b.ActionId).Distinct().Count());
        Assert.Equal(longQuestion, followUps[1].Value);
        Assert.True(followUps[1].Label.Length <= 75);
        Assert.Contains(call.Buttons, b => b.ActionId == SlackMessageRenderer.LikeAction && b.Value == "a-123");
    }

    [Fact]
    public void Render_LongAnswer_SplitIntoSectionsWithinSlackLimit()
    {
        var paragraph = string.Join(' ', Enumerable.Repeat("Django ships an ORM, an admin and authentication [1].", 20));
        var text = string.Join("\n\n", Enumerable.Repeat(paragraph, 8));

        var call = AsCall(SlackMessageRenderer.Render(Answer(text)));

        var sections = call.BlockTexts("section");
        Assert.True(sections.Count > 1);
        Assert.All(sections, s => Assert.True(s.Length <= 3000, $"section of {s.Length} characters"));
        Assert.Equal(text.Replace("\n", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal),
            string.Concat(sections).Replace("\n", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_ResolvedFollowUp_ShowsTheQuestionAsUnderstood()
    {
        var answer = Answer("Flask leaves many choices to you [1].") with { ResolvedQuestion = "What are the disadvantages of Flask?" };

        var followUp = AsCall(SlackMessageRenderer.Render(answer, "and its disadvantages?"));
        var plain = AsCall(SlackMessageRenderer.Render(answer, "What are the disadvantages of Flask?"));

        Assert.Equal("Answering: _What are the disadvantages of Flask?_", followUp.BlockTexts("context")[0]);
        Assert.Empty(plain.BlockTexts("context"));
    }

    [Theory]
    [InlineData("<@U0BOT1> Django &amp; Flask: which for <https://example.com|my site>?", "U0BOT1", "Django & Flask: which for my site?")]
    [InlineData("<@U0BOT1> is &lt;FastAPI&gt; fast?", null, "is <FastAPI> fast?")]
    [InlineData("hey <@U0BOT1> compare with <#C024BE7LH|general> <!here>", "U0BOT1", "hey   compare with #general")]
    public void ToQuestion_SlackMarkup_ReducedToPlainText(string text, string? botUserId, string expected)
        => Assert.Equal(expected, SlackText.ToQuestion(text, botUserId));
}
