using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>
/// Turns the advisor's answer into a Bot Framework reply. For Teams it follows Teams' native citation format
/// exactly: markdown text with [n] markers; one root schema.org Message entity (<c>@id: ""</c>) holding the
/// AI-generated label and one Claim per marker with the same integer position; Teams' limits (name ≤ 80
/// characters, abstract ≤ 160, at most 20 citations); the feedback buttons turned on. Other Bot Framework channels
/// (Emulator, Web Chat through Azure Bot Service) also get markdown link definitions, from which Web Chat builds
/// its reference list.
/// </summary>
public static partial class TeamsReplyRenderer
{
    /// <summary>The channel id of Microsoft Teams.</summary>
    public const string TeamsChannelId = "msteams";

    /// <summary>Teams refuses a message with more citations than this.</summary>
    public const int MaxCitations = 20;

    /// <summary>The longest citation abstract Teams accepts.</summary>
    public const int MaxAbstractLength = 160;

    /// <summary>The longest citation name Teams accepts.</summary>
    public const int MaxNameLength = 80;

    /// <summary>The reply to <paramref name="inbound"/> that carries <paramref name="answer"/>.</summary>
    public static Activity RenderAnswer(AdvisorAnswer answer, Activity inbound)
    {
        var cited = CitedNumbers(answer.Text);
        var citations = answer.Citations
            .Where(c => c.Id is >= 1 and <= MaxCitations && cited.Contains(c.Id))
            .GroupBy(c => c.Id)
            .Select(g => g.First())
            .OrderBy(c => c.Id)
            .ToList();
        var kept = citations.Select(c => c.Id).ToHashSet();

        // A marker without a citation the message carries would point at nothing: drop it, so every [n] left in the
        // text has its Claim with position n and every Claim has its marker.
        var text = Marker().Replace(answer.Text, m => kept.Contains(ParseMarker(m)) ? m.Value : "");
        text = TeamsParagraphs(text);
        if (!string.Equals(inbound.ChannelId, TeamsChannelId, StringComparison.Ordinal) && citations.Count > 0)
            text += "\n\n" + string.Join("\n", citations.Select(c => $"[{c.Id}]: {LinkTarget(c)} \"{c.Title.Replace('"', '\'')}\""));

        var message = new JsonObject
        {
            ["type"] = "https://schema.org/Message",
            ["@type"] = "Message",
            ["@context"] = "https://schema.org",
            ["@id"] = "",
            ["additionalType"] = new JsonArray("AIGeneratedContent"),
        };
        if (citations.Count > 0)
            message["citation"] = new JsonArray([.. citations.Select(Claim)]);

        var reply = BaseReply(inbound, text);
        reply.ChannelData = new JsonObject { ["feedbackLoop"] = new JsonObject { ["type"] = "default" } };
        reply.Entities = [message];
        reply.SuggestedActions = Suggestions(answer.Suggestions, inbound);
        return reply;
    }

    /// <summary>A plain bot message (welcome, refusal, hint) with optional suggested questions.</summary>
    public static Activity RenderText(string text, Activity inbound, IReadOnlyList<string>? suggestions = null)
    {
        var reply = BaseReply(inbound, TeamsParagraphs(text));
        reply.SuggestedActions = Suggestions(suggestions, inbound);
        return reply;
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

    private static JsonObject Claim(Citation citation)
    {
        var appearance = new JsonObject
        {
            ["@type"] = "DigitalDocument",
            ["name"] = Shorten(citation.Section is { Length: > 0 } section ? $"{citation.Title} — {section}" : citation.Title, MaxNameLength),
        };
        if (HttpUrl(citation.Url) is { } url)
            appearance["url"] = url;
        appearance["abstract"] = Shorten(citation.Quote, MaxAbstractLength);
        appearance["image"] = new JsonObject { ["@type"] = "ImageObject", ["name"] = "Text" };
        return new JsonObject
        {
            ["@type"] = "Claim",
            ["position"] = citation.Id,
            ["appearance"] = appearance,
        };
    }

    private static SuggestedActions? Suggestions(IReadOnlyList<string>? suggestions, Activity inbound)
    {
        // Teams shows suggested actions in one-to-one chats only.
        if (suggestions is not { Count: > 0 } || inbound.IsGroup)
            return null;
        return new SuggestedActions
        {
            Actions = [.. suggestions.Take(5).Select(s => new CardAction { Type = "imBack", Title = Shorten(s, 100), Value = s })],
        };
    }

    /// <summary>The [n] numbers used in <paramref name="text"/>.</summary>
    public static HashSet<int> CitedNumbers(string text)
        => [.. Marker().Matches(text).Select(ParseMarker).Where(n => n > 0)];

    private static int ParseMarker(Match match)
        => int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;

    /// <summary>
    /// Teams markdown needs a blank line for a line break: single newlines between ordinary lines are doubled,
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

    private static string LinkTarget(Citation citation) => HttpUrl(citation.Url) ?? $"cite:{citation.Id}";

    private static string? HttpUrl(string? url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.AbsoluteUri
            : null;

    [GeneratedRegex(@"\[(\d{1,6})\]")]
    private static partial Regex Marker();

    [GeneratedRegex(@"^\s*([-*+]|\d+[.)])\s")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
