using System.Text.Json.Nodes;
using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Channels.Slack;

/// <summary>
/// Renders the advisor's answers as Slack messages: the answer in mrkdwn sections with its [n] markers, a Sources
/// section with one context block per citation (title and a short verbatim excerpt), follow-up questions as buttons
/// and feedback buttons. The result holds <c>text</c> (the notification fallback) and <c>blocks</c>.
/// </summary>
public static class SlackMessageRenderer
{
    /// <summary>The action id of a follow-up question button; its value is the question.</summary>
    public const string FollowUpAction = "followup";

    /// <summary>The action id of the "helpful" button; its value is the answer id.</summary>
    public const string LikeAction = "feedback-like";

    /// <summary>The action id of the "not helpful" button; its value is the answer id.</summary>
    public const string DislikeAction = "feedback-dislike";

    // Slack's limits: section text 3,000 characters, 50 blocks, button labels 75 characters, values 2,000.
    private const int SectionLimit = 3000;
    private const int ButtonLabelLimit = 75;
    private const int ButtonValueLimit = 2000;
    private const int ExcerptLimit = 200;
    private const int MaxSources = 20;
    private const int MaxFollowUps = 5;
    private const int FallbackLimit = 3000;
    private const int MaxPartialSections = 10;

    /// <summary>
    /// Renders <paramref name="answer"/> to <paramref name="question"/>. <paramref name="askedBy"/> names the user who
    /// clicked a follow-up button; a follow-up the advisor resolved (<see cref="AdvisorAnswer.ResolvedQuestion"/>) is shown as understood.
    /// </summary>
    public static JsonObject Render(AdvisorAnswer answer, string? question = null, string? askedBy = null)
    {
        var blocks = new JsonArray();
        if (askedBy is not null && question is not null)
            blocks.Add(Context($"<@{askedBy}> asked: _{SlackText.Escape(question)}_"));
        // A follow-up ("and its drawbacks?") is answered as the advisor understood it; show that so the user can tell.
        if (answer.ResolvedQuestion is { Length: > 0 } resolved && question is not null
            && !string.Equals(resolved.Trim(), question.Trim(), StringComparison.OrdinalIgnoreCase))
            blocks.Add(Context($"Answering: _{SlackText.Escape(resolved)}_"));

        var text = SlackText.ToMrkdwn(answer.Text);
        foreach (var piece in SlackText.Split(text, SectionLimit))
            blocks.Add(Section(piece));

        if (answer.Grounded && answer.Citations.Count > 0)
        {
            blocks.Add(new JsonObject { ["type"] = "divider" });
            blocks.Add(Section("*Sources*"));
            foreach (var citation in answer.Citations.Take(MaxSources))
                blocks.Add(Context(Source(citation)));
            if (answer.Citations.Count > MaxSources)
                blocks.Add(Context($"…and {answer.Citations.Count - MaxSources} more."));
        }

        if (answer.Suggestions.Count > 0)
            blocks.Add(FollowUps(answer.Suggestions));

        blocks.Add(new JsonObject
        {
            ["type"] = "actions",
            ["block_id"] = "feedback",
            ["elements"] = new JsonArray(
                Button(LikeAction, "👍 Helpful", answer.AnswerId),
                Button(DislikeAction, "👎 Not helpful", answer.AnswerId)),
        });

        return Message(text, blocks);
    }

    /// <summary>A plain message (welcome, hint, apology), written in Markdown, with optional follow-up buttons.</summary>
    public static JsonObject Text(string markdown, IReadOnlyList<string>? suggestions = null)
    {
        var text = SlackText.ToMrkdwn(markdown);
        var blocks = new JsonArray();
        foreach (var piece in SlackText.Split(text, SectionLimit))
            blocks.Add(Section(piece));
        if (suggestions is { Count: > 0 })
            blocks.Add(FollowUps(suggestions));
        return Message(text, blocks);
    }

    /// <summary>The text of an answer while it is being written: Markdown as mrkdwn, cut to the fallback limit.</summary>
    public static JsonObject Partial(string markdown)
    {
        var text = SlackText.ToMrkdwn(markdown);
        return Message(text, new JsonArray([.. SlackText.Split(text, SectionLimit).Take(MaxPartialSections).Select(Section)]));
    }

    private static string Source(Citation citation)
    {
        var title = SlackText.Escape(citation.Title);
        var label = citation.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? $"*[{citation.Id}]* <{uri.AbsoluteUri}|{title}>"
            : $"*[{citation.Id}] {title}*";
        if (citation.Section is { Length: > 0 } section)
            label += $" · {SlackText.Escape(section)}";
        return $"{label}\n“{SlackText.Escape(SlackText.Excerpt(citation.Quote, ExcerptLimit))}”";
    }

    private static JsonObject FollowUps(IEnumerable<string> questions)
    {
        var buttons = new JsonArray();
        var index = 0;
        foreach (var question in questions.Where(q => q.Length <= ButtonValueLimit).Take(MaxFollowUps))
            buttons.Add(Button($"{FollowUpAction}-{index++}", question, question));
        return new JsonObject { ["type"] = "actions", ["block_id"] = "followups", ["elements"] = buttons };
    }

    private static JsonObject Button(string actionId, string label, string value) => new()
    {
        ["type"] = "button",
        ["action_id"] = actionId,
        ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = SlackText.Truncate(label, ButtonLabelLimit), ["emoji"] = true },
        ["value"] = value,
    };

    private static JsonObject Section(string mrkdwn) => new()
    {
        ["type"] = "section",
        ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = mrkdwn },
    };

    private static JsonObject Context(string mrkdwn) => new()
    {
        ["type"] = "context",
        ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = SlackText.Truncate(mrkdwn, SectionLimit) }),
    };

    private static JsonObject Message(string fallback, JsonArray blocks) => new()
    {
        ["text"] = SlackText.Truncate(fallback, FallbackLimit),
        ["blocks"] = blocks,
    };
}
