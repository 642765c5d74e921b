using System.Text;
using System.Text.RegularExpressions;

namespace ChatAdvisor.Channels.Slack;

/// <summary>Conversions between Slack's message markup and plain text or Markdown.</summary>
public static partial class SlackText
{
    /// <summary>Escapes the three characters Slack treats as markup (<c>&amp; &lt; &gt;</c>).</summary>
    public static string Escape(string text)
        => text.Replace("&", "&amp;", StringComparison.Ordinal)
               .Replace("<", "&lt;", StringComparison.Ordinal)
               .Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Reverses <see cref="Escape"/>.</summary>
    public static string Unescape(string text)
        => text.Replace("&lt;", "<", StringComparison.Ordinal)
               .Replace("&gt;", ">", StringComparison.Ordinal)
               .Replace("&amp;", "&", StringComparison.Ordinal);

    /// <summary>
    /// Turns a message's text into the question to ask: the bot's mention removed (or, when the bot's user id is not
    /// known, the mentions it starts with), links and channel references reduced to their labels, entities unescaped.
    /// </summary>
    public static string ToQuestion(string? text, string? botUserId)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var question = botUserId is { Length: > 0 }
            ? text.Replace($"<@{botUserId}>", " ", StringComparison.Ordinal)
            : LeadingMentions().Replace(text, "");
        question = Markup().Replace(question, m => m.Groups["label"].Success
            ? (m.Groups["kind"].Value == "#" ? "#" : "") + m.Groups["label"].Value
            : m.Groups["kind"].Value is "!" ? "" : m.Groups["kind"].Value + m.Groups["target"].Value);
        return Unescape(question).Trim();
    }

    /// <summary>
    /// Converts the advisor's Markdown to Slack mrkdwn: escapes <c>&amp; &lt; &gt;</c>, turns <c>**bold**</c> into
    /// <c>*bold*</c>, <c>*italic*</c> into <c>_italic_</c>, headings into bold lines, list markers into bullets and
    /// <c>[label](https://…)</c> into <c>&lt;https://…|label&gt;</c>. Citation markers such as [1] are kept as they are.
    /// </summary>
    public static string ToMrkdwn(string markdown)
    {
        var lines = Escape(markdown.ReplaceLineEndings("\n")).Split('\n');
        var output = new StringBuilder(markdown.Length + 16);
        for (var i = 0; i < lines.Length; i++)
        {
            var heading = Heading().Match(lines[i]);
            var line = heading.Success ? heading.Groups[1].Value : Bullet().Replace(lines[i], "$1• ");
            line = Link().Replace(line, m => $"<{m.Groups[2].Value}|{m.Groups[1].Value}>");
            line = Italic().Replace(line, "_$1_");
            line = Bold().Replace(line, "*$1*");
            // mrkdwn has no headings: a bold line reads as one.
            output.Append(heading.Success ? $"*{line}*" : line);
            if (i < lines.Length - 1)
                output.Append('\n');
        }
        return output.ToString();
    }

    /// <summary>Splits <paramref name="text"/> into pieces of at most <paramref name="limit"/> characters, at paragraph, line or word breaks when it can.</summary>
    public static IReadOnlyList<string> Split(string text, int limit)
    {
        var pieces = new List<string>();
        var rest = text.Trim();
        while (rest.Length > limit)
        {
            var window = rest[..limit];
            var cut = window.LastIndexOf("\n\n", StringComparison.Ordinal);
            if (cut < limit / 2)
                cut = window.LastIndexOf('\n');
            if (cut < limit / 2)
                cut = window.LastIndexOf(' ');
            if (cut < limit / 2)
                cut = limit;
            pieces.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }
        if (rest.Length > 0)
            pieces.Add(rest);
        return pieces;
    }

    /// <summary>
    /// The start of <paramref name="text"/>, verbatim, cut at a word break so it is at most <paramref name="limit"/>
    /// characters, followed by an ellipsis when something was cut.
    /// </summary>
    public static string Excerpt(string text, int limit)
    {
        var trimmed = text.Trim();
        if (trimmed.Length <= limit)
            return trimmed;
        var cut = trimmed.LastIndexOf(' ', limit);
        if (cut < limit / 2)
            cut = limit;
        return trimmed[..cut].TrimEnd() + "…";
    }

    /// <summary>The start of <paramref name="text"/> in at most <paramref name="limit"/> characters (Slack's plain_text limits).</summary>
    public static string Truncate(string text, int limit)
        => text.Length <= limit ? text : text[..(limit - 1)].TrimEnd() + "…";

    [GeneratedRegex(@"^(?:\s*<@[A-Z0-9]+(?:\|[^>]*)?>)+")]
    private static partial Regex LeadingMentions();

    // <https://x|label>, <#C123|general>, <@U123>, <!here>: kind is "#", "@", "!" or empty for links.
    [GeneratedRegex(@"<(?<kind>[#@!]?)(?<target>[^<>|]+)(?:\|(?<label>[^<>]*))?>")]
    private static partial Regex Markup();

    [GeneratedRegex(@"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^(\s*)[-*+]\s+")]
    private static partial Regex Bullet();

    [GeneratedRegex(@"\[([^\[\]]+)\]\((https?://[^\s)]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"(?<![*\w])\*(?!\*)(\S(?:[^*\n]*?\S)?)\*(?![*\w])")]
    private static partial Regex Italic();

    [GeneratedRegex(@"(?:\*\*|__)(\S(?:.*?\S)?)(?:\*\*|__)")]
    private static partial Regex Bold();
}
