using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>How the feedback buttons of an answer are asked for.</summary>
public enum FeedbackStyle
{
    /// <summary>Teams' own buttons: <c>channelData.feedbackLoop</c>; a click arrives as a <c>message/submitAction</c> invoke.</summary>
    TeamsFeedbackLoop,

    /// <summary>schema.org Like/Dislike actions on the Message entity (Web Chat); the answer id travels in the action.</summary>
    SchemaActions,
}

/// <summary>Where a live stream's <c>streamType</c>, <c>streamSequence</c> and <c>streamId</c> go.</summary>
public enum StreamInfoPlacement
{
    /// <summary>A <c>streaminfo</c> entity (Teams).</summary>
    Entity,

    /// <summary>The activity's channelData (Web Chat livestreaming).</summary>
    ChannelData,
}

/// <summary>
/// The per-channel choices of <see cref="AnswerActivities"/>: one renderer of the schema.org Message + Claim citation
/// shape, with Teams' limits for Teams and Markdown link definitions for Web Chat.
/// </summary>
public sealed record ReplyStyle
{
    /// <summary>Microsoft Teams: its native citations (at most 20, names ≤ 80 and abstracts ≤ 160 characters), the AI
    /// label, Teams' feedback buttons, blank lines between paragraphs; no link definitions (Teams shows them literally).</summary>
    public static readonly ReplyStyle Teams = new();

    /// <summary>Other Bot Framework channels (Emulator, Web Chat through Azure Bot Service): Teams' shape plus link
    /// definitions, from which Web Chat builds its reference list.</summary>
    public static readonly ReplyStyle OtherBotFramework = new() { LinkDefinitions = true };

    /// <summary>
    /// The web chat page through this server's Direct Line: link definitions to <c>cite:n</c> buttons, each claim carrying
    /// the quote shown when it is opened, Like/Dislike actions, every citation kept.
    /// </summary>
    public static readonly ReplyStyle WebChat = new()
    {
        MaxCitations = int.MaxValue,
        MaxNameLength = int.MaxValue,
        LinkDefinitions = true,
        QuoteInClaim = true,
        AiLabel = false,
        TeamsParagraphs = false,
        Feedback = FeedbackStyle.SchemaActions,
        StreamInfo = StreamInfoPlacement.ChannelData,
        StreamsInGroups = true,
    };

    /// <summary>The most citations one message carries (Teams refuses more than 20).</summary>
    public int MaxCitations { get; init; } = 20;

    /// <summary>The longest citation name (Teams accepts 80 characters).</summary>
    public int MaxNameLength { get; init; } = 80;

    /// <summary>The longest citation abstract (Teams accepts 160 characters).</summary>
    public int MaxAbstractLength { get; init; } = 160;

    /// <summary>Ends the text with <c>[n]: target "name"</c> definitions (Web Chat builds its reference list from them).</summary>
    public bool LinkDefinitions { get; init; }

    /// <summary>Each claim carries the quote as Markdown (<c>appearance.text</c>) and no url, so opening it shows the passage.</summary>
    public bool QuoteInClaim { get; init; }

    /// <summary>Labels the message as AI-generated (<c>additionalType</c>).</summary>
    public bool AiLabel { get; init; } = true;

    /// <summary>Doubles single newlines: Teams needs a blank line for a line break.</summary>
    public bool TeamsParagraphs { get; init; } = true;

    /// <summary>How the answer can be rated.</summary>
    public FeedbackStyle Feedback { get; init; } = FeedbackStyle.TeamsFeedbackLoop;

    /// <summary>Where live-stream information goes.</summary>
    public StreamInfoPlacement StreamInfo { get; init; } = StreamInfoPlacement.Entity;

    /// <summary>Streams in group conversations too (Teams streams in one-to-one chats only).</summary>
    public bool StreamsInGroups { get; init; }

    /// <summary>
    /// The advisor's public address (<c>DirectLine:PublicBaseUrl</c>), or null. When set, a citation links to the
    /// advisor's page of its article, opened at the quoted passage (<c>/articles/{id}#quote=…</c>), rather than to the
    /// article's own address.
    /// </summary>
    public string? ArticleBaseUrl { get; init; }

    /// <summary>This style with citations linking to the article pages under <paramref name="publicBaseUrl"/> (none when empty).</summary>
    public ReplyStyle WithArticleLinks(string? publicBaseUrl)
        => string.IsNullOrEmpty(publicBaseUrl) ? this : this with { ArticleBaseUrl = publicBaseUrl.TrimEnd('/') };

    /// <summary>The style for an activity from <paramref name="channelId"/> reaching the Bot Framework endpoint.</summary>
    public static ReplyStyle ForChannel(string? channelId)
        => string.Equals(channelId, AnswerActivities.TeamsChannelId, StringComparison.Ordinal) ? Teams : OtherBotFramework;
}

/// <summary>
/// Renders the advisor's answers and texts as Bot Framework activities, for Teams and for Web Chat alike: Markdown text
/// with [n] markers; one root schema.org Message entity (<c>@id: ""</c>) with one Claim per marker at the same
/// position; feedback; the follow-up questions as suggested actions; and the typing and live-stream activities that
/// precede an answer. <see cref="ReplyStyle"/> holds what differs by channel.
/// </summary>
public static partial class AnswerActivities
{
    /// <summary>The channel id of Microsoft Teams.</summary>
    public const string TeamsChannelId = "msteams";

    /// <summary>The event Web Chat posts when a like or dislike button is clicked.</summary>
    public const string FeedbackEventName = "webchat:activity-status/feedback";

    private const string FeedbackUrlPrefix = "ms-directline://postback?interaction=";

    private const int MaxSuggestions = 5;
    private const int MaxSuggestionTitle = 100;

    /// <summary>The reply to <paramref name="inbound"/> that carries <paramref name="answer"/>.</summary>
    public static Activity Answer(AdvisorAnswer answer, Activity inbound, ReplyStyle style)
    {
        var cited = CitedNumbers(answer.Text);
        var citations = answer.Citations
            .Where(c => c.Id >= 1 && c.Id <= style.MaxCitations && (style.QuoteInClaim || cited.Contains(c.Id)))
            .GroupBy(c => c.Id)
            .Select(g => g.First())
            .OrderBy(c => c.Id)
            .ToList();
        var kept = citations.Select(c => c.Id).ToHashSet();

        // A marker without a citation the message carries would point at nothing: drop it, so every [n] left in the
        // text has its Claim with position n.
        var text = Marker().Replace(answer.Text.TrimEnd(), m => kept.Contains(ParseMarker(m)) ? m.Value : "");
        if (style.TeamsParagraphs)
            text = TeamsParagraphs(text);
        if (style.LinkDefinitions && citations.Count > 0)
        {
            // "[1][2]" is a full reference link in Markdown (text "1", label "2"): keep adjacent markers apart.
            text = AdjacentMarkers().Replace(text, "$1 ");
            // Web Chat builds its reference list from link reference definitions in the text (not from the entity);
            // a definition whose scheme is not a web link becomes a button that opens the claim's text.
            var definitions = new StringBuilder(text).Append("\n\n");
            foreach (var citation in citations)
            {
                var target = style.QuoteInClaim ? null : CitationLink(citation, style);
                definitions.Append('[').Append(citation.Id).Append("]: ").Append(target ?? "cite:" + citation.Id)
                    .Append(" \"").Append(LinkTitle(CitationName(citation))).Append("\"\n");
            }
            text = definitions.ToString().TrimEnd();
        }

        var message = MessageEntity();
        if (style.AiLabel)
            message["additionalType"] = new JsonArray("AIGeneratedContent");
        if (citations.Count > 0 || style.QuoteInClaim)
            message["citation"] = new JsonArray([.. citations.Select(c => Claim(c, style))]);

        var reply = BaseReply(inbound, text);
        if (style.Feedback == FeedbackStyle.TeamsFeedbackLoop)
        {
            reply.ChannelData = new JsonObject { ["feedbackLoop"] = new JsonObject { ["type"] = "default" } };
        }
        else
        {
            message["potentialAction"] = new JsonArray(FeedbackAction("LikeAction", "like", answer.AnswerId), FeedbackAction("DislikeAction", "dislike", answer.AnswerId));
            reply.ChannelData = new JsonObject
            {
                ["chatAdvisor"] = new JsonObject { ["answerId"] = answer.AnswerId, ["grounded"] = answer.Grounded },
            };
        }
        reply.Entities = [message];
        reply.SuggestedActions = Suggestions(answer.Suggestions, inbound);
        return reply;
    }

    /// <summary>A plain bot message (welcome, notice, apology) with optional suggested questions.</summary>
    public static Activity Text(string text, Activity inbound, ReplyStyle style, IReadOnlyList<string>? suggestions = null)
    {
        var reply = BaseReply(inbound, style.TeamsParagraphs ? TeamsParagraphs(text) : text);
        reply.SuggestedActions = Suggestions(suggestions, inbound);
        return reply;
    }

    /// <summary>The typing indicator in reply to <paramref name="inbound"/>.</summary>
    public static Activity Typing(Activity inbound) => new()
    {
        Type = ActivityTypes.Typing,
        ReplyToId = inbound.Id,
        From = inbound.Recipient,
        Recipient = inbound.From,
        Conversation = inbound.Conversation,
    };

    /// <summary>
    /// One update of a live stream: a typing activity carrying <paramref name="text"/> (the whole text so far, or the
    /// informative status), the stream's type and sequence (from 1) and, after the first update, its id.
    /// </summary>
    public static Activity StreamUpdate(Activity inbound, ReplyStyle style, string text, string streamType, int sequence, string? streamId)
    {
        var update = Typing(inbound);
        update.Text = text;
        AddStreamInfo(update, style, streamType, sequence, streamId);
        return update;
    }

    /// <summary>Marks <paramref name="final"/> (the rendered answer) as the end of the stream <paramref name="streamId"/>.</summary>
    public static Activity EndStream(Activity final, ReplyStyle style, string streamId)
    {
        AddStreamInfo(final, style, "final", sequence: null, streamId);
        return final;
    }

    private static void AddStreamInfo(Activity activity, ReplyStyle style, string streamType, int? sequence, string? streamId)
    {
        var info = new JsonObject();
        if (style.StreamInfo == StreamInfoPlacement.Entity)
            info["type"] = "streaminfo";
        if (streamId is not null)
            info["streamId"] = streamId;
        info["streamType"] = streamType;
        if (sequence is { } n)
            info["streamSequence"] = n;

        if (style.StreamInfo == StreamInfoPlacement.Entity)
        {
            activity.Entities = [info, .. activity.Entities ?? []];
        }
        else
        {
            activity.ChannelData ??= new JsonObject();
            foreach (var (key, value) in info)
                activity.ChannelData[key] = value?.DeepClone();
        }
    }

    /// <summary>
    /// Reads a Web Chat feedback event: which answer was rated and how. The event carries no replyToId, so the answer
    /// id travels inside the action's <c>target.urlTemplate</c>.
    /// </summary>
    public static bool TryReadFeedback(Activity activity, out string answerId, out bool positive)
    {
        answerId = "";
        positive = false;
        if (activity.Entities is not { Count: > 0 } entities)
            return false;
        var action = entities[0];

        var type = action["@type"].AsString();
        if (type is not ("LikeAction" or "DislikeAction"))
            return false;
        var url = action["target"]?["urlTemplate"].AsString();
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
    /// The quote as Markdown: the passage as a block quote with Markdown characters escaped so it reads exactly as in
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
            text.Append(lines[i].Length == 0 ? ">" : "> " + MarkdownText.Escape(lines[i]) + (breakAfter ? "\\" : "")).Append('\n');
        }

        var by = string.Join(", ", new[] { citation.Author, citation.Publisher }.Where(s => !string.IsNullOrWhiteSpace(s)));
        if (by.Length > 0 || citation.Url is not null)
        {
            text.Append('\n');
            if (by.Length > 0)
                text.Append(MarkdownText.Escape(by));
            if (HttpUrl(citation.Url) is { } url)
                text.Append(by.Length > 0 ? " · " : "").Append("[Read the article](<").Append(url).Append(">)");
            text.Append('\n');
        }
        return text.ToString().TrimEnd();
    }

    /// <summary>The [n] numbers used in <paramref name="text"/>.</summary>
    public static HashSet<int> CitedNumbers(string text)
        => [.. Marker().Matches(text).Select(ParseMarker).Where(n => n > 0)];

    /// <summary>Collapses whitespace and cuts <paramref name="value"/> to at most <paramref name="max"/> characters at a word boundary.</summary>
    public static string Shorten(string value, int max)
    {
        var collapsed = Whitespace().Replace(value, " ").Trim();
        if (collapsed.Length <= max)
            return collapsed;
        var cut = collapsed[..(max - 1)];
        var space = cut.LastIndexOf(' ');
        if (space > max / 2)
            cut = cut[..space];
        return cut.TrimEnd(' ', ',', ';', ':', '.') + "…";
    }

    private static Activity BaseReply(Activity inbound, string text) => new()
    {
        Type = ActivityTypes.Message,
        TextFormat = "markdown",
        Text = text,
        ReplyToId = inbound.Id,
        From = inbound.Recipient,
        Recipient = inbound.From,
        Conversation = inbound.Conversation,
    };

    private static JsonObject MessageEntity() => new()
    {
        ["type"] = "https://schema.org/Message",
        ["@type"] = "Message",
        ["@context"] = "https://schema.org",
        ["@id"] = "",
    };

    private static JsonObject Claim(Citation citation, ReplyStyle style)
    {
        var appearance = new JsonObject
        {
            ["@type"] = "DigitalDocument",
            ["name"] = Shorten(CitationName(citation), style.MaxNameLength),
        };
        if (!style.QuoteInClaim && CitationLink(citation, style) is { } url)
            appearance["url"] = url;
        appearance["abstract"] = Shorten(citation.Quote, style.MaxAbstractLength);
        if (style.QuoteInClaim)
            // Shown as Markdown in a dialog when the citation is opened. No "url": a claim with a url becomes a plain
            // link and the quote would never be shown; the link goes inside the text instead.
            appearance["text"] = QuoteMarkdown(citation);
        else
            appearance["image"] = new JsonObject { ["@type"] = "ImageObject", ["name"] = "Text" };
        return new JsonObject
        {
            ["@type"] = "Claim",
            ["position"] = citation.Id,
            ["appearance"] = appearance,
        };
    }

    private static JsonObject FeedbackAction(string type, string interaction, string answerId) => new()
    {
        ["@type"] = type,
        ["target"] = new JsonObject
        {
            ["@type"] = "EntryPoint",
            ["urlTemplate"] = FeedbackUrlPrefix + interaction + "&answer=" + Uri.EscapeDataString(answerId),
        },
    };

    private static SuggestedActions? Suggestions(IReadOnlyList<string>? suggestions, Activity inbound)
    {
        // Teams shows suggested actions in one-to-one chats only.
        if (suggestions is not { Count: > 0 } || inbound.IsGroup)
            return null;
        return new SuggestedActions
        {
            Actions = [.. suggestions.Take(MaxSuggestions).Select(s => new CardAction { Type = "imBack", Title = Shorten(s, MaxSuggestionTitle), Value = s })],
        };
    }

    /// <summary>Where a citation opens: the advisor's article page at the quote when a public address is set, else the article's own address.</summary>
    private static string? CitationLink(Citation citation, ReplyStyle style)
        => style.ArticleBaseUrl is { } articles
            ? $"{articles}/articles/{Uri.EscapeDataString(citation.DocumentId)}#quote={Uri.EscapeDataString(citation.Quote)}"
            : HttpUrl(citation.Url);

    private static string CitationName(Citation citation)
        => string.IsNullOrWhiteSpace(citation.Section) ? citation.Title : citation.Title + " — " + citation.Section;

    private static string LinkTitle(string title)
        => title.ReplaceLineEndings(" ").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static int ParseMarker(Match match)
        => int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;

    /// <summary>
    /// Teams Markdown needs a blank line for a line break: single newlines between ordinary lines are doubled,
    /// list items stay on consecutive lines so they still render as a list.
    /// </summary>
    private static string TeamsParagraphs(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var builder = new StringBuilder(text.Length + 16);
        for (var i = 0; i < lines.Length; i++)
        {
            if (i > 0)
            {
                var previousBlank = lines[i - 1].Trim().Length == 0;
                var blank = lines[i].Trim().Length == 0;
                builder.Append(previousBlank || blank || ListItem().IsMatch(lines[i]) ? "\n" : "\n\n");
            }
            builder.Append(lines[i]);
        }
        return builder.ToString().Trim();
    }

    private static string? HttpUrl(string? url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.AbsoluteUri
            : null;

    [GeneratedRegex(@"\[(\d{1,6})\]")]
    private static partial Regex Marker();

    [GeneratedRegex(@"(\[\d+\])(?=\[\d+\])")]
    private static partial Regex AdjacentMarkers();

    [GeneratedRegex(@"^\s*([-*+]|\d+[.)])\s")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
