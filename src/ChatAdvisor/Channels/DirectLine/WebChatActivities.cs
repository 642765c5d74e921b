using System.Text;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Ingestion;

namespace ChatAdvisor.Channels.DirectLine;

/// <summary>
/// Renders the advisor's answers as the activities the unmodified Web Chat widget shows: markdown text whose
/// [n] markers resolve to link definitions (<c>[n]: cite:n "Title"</c>), a schema.org Message entity whose claims
/// carry the quote shown when a citation is opened, like/dislike actions carrying the answer id, and the
/// follow-up questions as suggested actions.
/// </summary>
public static partial class WebChatActivities
{
    /// <summary>The bot's account on the wire.</summary>
    public const string BotId = "chatadvisor";

    /// <summary>The event Web Chat posts when a like or dislike button is clicked.</summary>
    public const string FeedbackEventName = "webchat:activity-status/feedback";

    private const string FeedbackUrlPrefix = "ms-directline://postback?interaction=";

    /// <summary>The reply to the user's question <paramref name="replyToId"/>.</summary>
    public static JsonObject Answer(AdvisorAnswer answer, string replyToId)
    {
        // "[1][2]" is a full reference link in markdown (text "1", label "2"): keep adjacent markers apart.
        var text = new StringBuilder(AdjacentMarkers().Replace(answer.Text.TrimEnd(), "$1 "));
        if (answer.Citations.Count > 0)
        {
            // Web Chat builds its reference list from link reference definitions in the text (not from the entity);
            // a definition whose scheme is not a web link becomes a button that opens the claim's text.
            text.Append("\n\n");
            foreach (var citation in answer.Citations)
                text.Append('[').Append(citation.Id).Append("]: cite:").Append(citation.Id).Append(" \"").Append(LinkTitle(CitationName(citation))).Append("\"\n");
        }

        var claims = new JsonArray();
        foreach (var citation in answer.Citations)
        {
            claims.Add(new JsonObject
            {
                ["@type"] = "Claim",
                ["position"] = citation.Id,
                ["appearance"] = new JsonObject
                {
                    ["@type"] = "DigitalDocument",
                    ["name"] = CitationName(citation),
                    ["abstract"] = Abstract(citation.Quote),
                    // Shown as markdown in a dialog when the citation is opened. No "url" here: a claim with a url
                    // becomes a plain link and the quote would never be shown; the link goes inside the text instead.
                    ["text"] = QuoteMarkdown(citation),
                },
            });
        }

        var message = MessageEntity(claims);
        message["potentialAction"] = new JsonArray(FeedbackAction("LikeAction", "like", answer.AnswerId), FeedbackAction("DislikeAction", "dislike", answer.AnswerId));

        var activity = BotMessage(text.ToString().TrimEnd(), replyToId);
        activity["entities"] = new JsonArray(message);
        activity["channelData"] = new JsonObject
        {
            ["chatAdvisor"] = new JsonObject { ["answerId"] = answer.AnswerId, ["grounded"] = answer.Grounded },
        };
        if (answer.Suggestions.Count > 0)
            activity["suggestedActions"] = SuggestedActions(answer.Suggestions);
        return activity;
    }

    /// <summary>The first message of a conversation: <paramref name="welcome"/> (from the topic profile), what the advisor knows and questions to start with.</summary>
    public static JsonObject Welcome(string welcome, IReadOnlyList<Article> articles, IReadOnlyList<string> starterQuestions)
    {
        var text = new StringBuilder(welcome).Append(' ');
        if (articles.Count == 0)
        {
            text.Append("My article collection is empty right now, so I cannot answer yet.");
        }
        else
        {
            text.Append("I answer only from these articles, and every claim cites the passage it comes from:\n\n");
            foreach (var article in articles)
            {
                text.Append("- ").Append(EscapeMarkdown(article.Title));
                var by = string.Join(", ", new[] { article.Author, article.Publisher }.Where(s => !string.IsNullOrWhiteSpace(s)));
                if (by.Length > 0)
                    text.Append(" (").Append(EscapeMarkdown(by)).Append(')');
                text.Append('\n');
            }
            text.Append("\nPick a question below or ask your own.");
        }

        var activity = BotMessage(text.ToString(), replyToId: null);
        activity["suggestedActions"] = SuggestedActions(starterQuestions);
        return activity;
    }

    /// <summary>A plain message from the bot, such as why a question cannot be answered.</summary>
    public static JsonObject Notice(string text, string? replyToId) => BotMessage(text, replyToId);

    /// <summary>The typing indicator (sent on the WebSocket only).</summary>
    public static JsonObject Typing(string? replyToId)
    {
        var activity = new JsonObject { ["type"] = "typing", ["from"] = Bot() };
        if (replyToId is not null)
            activity["replyToId"] = replyToId;
        return activity;
    }

    /// <summary>
    /// Reads a feedback event: which answer was rated and how. The event carries no replyToId, so the answer id
    /// travels inside the action's <c>target.urlTemplate</c>.
    /// </summary>
    public static bool TryReadFeedback(JsonObject activity, out string answerId, out bool positive)
    {
        answerId = "";
        positive = false;
        if (activity["entities"] is not JsonArray { Count: > 0 } entities || entities[0] is not JsonObject action)
            return false;

        var type = action["@type"] is JsonValue t && t.TryGetValue(out string? typeName) ? typeName : null;
        if (type is not ("LikeAction" or "DislikeAction"))
            return false;
        var url = action["target"]?["urlTemplate"] is JsonValue u && u.TryGetValue(out string? template) ? template : null;
        if (url is null || !url.StartsWith(FeedbackUrlPrefix, StringComparison.Ordinal))
            return false;

        var query = url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..];
        foreach (var pair in query.Split('&'))
        {
            if (pair.StartsWith("answer=", StringComparison.Ordinal))
                answerId = Uri.UnescapeDataString(pair["answer=".Length..]);
        }
        positive = type == "LikeAction";
        return answerId.Length > 0;
    }

    /// <summary>
    /// The quote as markdown: the passage as a block quote with markdown characters escaped so it reads exactly as in
    /// the article, then the author and a link to the original when known.
    /// </summary>
    public static string QuoteMarkdown(Citation citation)
    {
        // The dialog's heading already shows the claim's name (title and section).
        var text = new StringBuilder();
        // Each line of the passage stays a line: a trailing backslash is a hard line break.
        var lines = citation.Quote.ReplaceLineEndings("\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            bool breakAfter = i + 1 < lines.Length && lines[i].Length > 0 && lines[i + 1].Length > 0;
            text.Append(lines[i].Length == 0 ? ">" : "> " + EscapeMarkdown(lines[i]) + (breakAfter ? "\\" : "")).Append('\n');
        }

        var by = string.Join(", ", new[] { citation.Author, citation.Publisher }.Where(s => !string.IsNullOrWhiteSpace(s)));
        if (by.Length > 0 || citation.Url is not null)
        {
            text.Append('\n');
            if (by.Length > 0)
                text.Append(EscapeMarkdown(by));
            if (citation.Url is not null && Uri.TryCreate(citation.Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                text.Append(by.Length > 0 ? " · " : "").Append("[Read the article](<").Append(uri.AbsoluteUri).Append(">)");
            text.Append('\n');
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>Backslash-escapes the characters that would make text render as something other than itself.</summary>
    public static string EscapeMarkdown(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '#' or '|' or '~' or '!')
                escaped.Append('\\');
            escaped.Append(c);
        }

        // A line that starts like a list item or heading would lose its first characters to the list marker.
        var result = escaped.ToString();
        int digits = 0;
        while (digits < result.Length && char.IsAsciiDigit(result[digits]))
            digits++;
        if (result.Length > 0 && (result[0] is '-' or '+' or '=') || (digits > 0 && digits < result.Length && result[digits] is '.' or ')'))
            result = digits > 0 ? result[..digits] + "\\" + result[digits..] : "\\" + result;
        return result;
    }

    private static string CitationName(Citation citation)
        => string.IsNullOrWhiteSpace(citation.Section) ? citation.Title : citation.Title + " — " + citation.Section;

    private static string LinkTitle(string title)
        => title.ReplaceLineEndings(" ").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static string Abstract(string quote)
    {
        var flat = string.Join(' ', quote.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= 160 ? flat : flat[..159].TrimEnd() + "…";
    }

    private static JsonObject MessageEntity(JsonArray claims) => new()
    {
        ["type"] = "https://schema.org/Message",
        ["@type"] = "Message",
        ["@context"] = "https://schema.org",
        ["@id"] = "",
        ["citation"] = claims,
    };

    private static JsonObject FeedbackAction(string type, string interaction, string answerId) => new()
    {
        ["@type"] = type,
        ["target"] = new JsonObject
        {
            ["@type"] = "EntryPoint",
            ["urlTemplate"] = FeedbackUrlPrefix + interaction + "&answer=" + Uri.EscapeDataString(answerId),
        },
    };

    private static JsonObject SuggestedActions(IEnumerable<string> questions)
    {
        var actions = new JsonArray();
        foreach (var question in questions)
            actions.Add(new JsonObject { ["type"] = "imBack", ["title"] = question, ["value"] = question });
        return new JsonObject { ["actions"] = actions };
    }

    private static JsonObject BotMessage(string text, string? replyToId)
    {
        var activity = new JsonObject
        {
            ["type"] = "message",
            ["from"] = Bot(),
            ["textFormat"] = "markdown",
            ["text"] = text,
        };
        if (replyToId is not null)
            activity["replyToId"] = replyToId;
        return activity;
    }

    private static JsonObject Bot() => new() { ["id"] = BotId, ["name"] = "ChatAdvisor", ["role"] = "bot" };

    [GeneratedRegex(@"(\[\d+\])(?=\[\d+\])")]
    private static partial Regex AdjacentMarkers();
}
