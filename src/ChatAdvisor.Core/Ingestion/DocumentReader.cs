using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace ChatAdvisor.Core.Ingestion;

/// <summary>A document read from a file, before sectioning: Markdown-like text and what is known about it.</summary>
internal sealed record ReadDocument(string Text, string? Title, string? Author, string? Publisher, string? Url, int RemovedLines);

/// <summary>
/// Reads .md, .txt and .html files into Markdown-like text (headings as <c>#</c>, list items as <c>-</c>,
/// tables as pipe tables) with page furniture removed.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static partial class DocumentReader
{
    /// <summary>The file extensions the corpus accepts.</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".md", ".markdown", ".txt", ".html", ".htm" };

    [GeneratedRegex(@"\A---\s*\n(?<yaml>.*?)\n---\s*(\n|\z)", RegexOptions.Singleline)]
    private static partial Regex FrontMatter();

    [GeneratedRegex(@"^(?<key>[A-Za-z-]+)\s*:\s*(?<value>.*)$", RegexOptions.Multiline)]
    private static partial Regex FrontMatterField();

    [GeneratedRegex(@"^\s*[•·▪◦●]\s+")]
    private static partial Regex BulletGlyph();

    /// <summary>Reads <paramref name="content"/> as the format named by <paramref name="extension"/>.</summary>
    public static ReadDocument Read(string content, string extension)
    {
        content = content.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').TrimStart('\uFEFF');
        return extension.ToLowerInvariant() switch
        {
            ".html" or ".htm" => ReadHtml(content),
            ".txt" => ReadText(content),
            _ => ReadMarkdown(content),
        };
    }

    private static ReadDocument ReadMarkdown(string content)
    {
        string? title = null, author = null, publisher = null, url = null;
        var match = FrontMatter().Match(content);
        if (match.Success)
        {
            foreach (Match field in FrontMatterField().Matches(match.Groups["yaml"].Value))
            {
                var value = field.Groups["value"].Value.Trim().Trim('"', '\'');
                switch (field.Groups["key"].Value.ToLowerInvariant())
                {
                    case "title": title = value; break;
                    case "author": author = value; break;
                    case "publisher": publisher = value; break;
                    case "url": url = value; break;
                }
            }
            content = content[match.Length..];
        }
        var cleaned = FurnitureFilter.Clean(content, title);
        title ??= FirstHeading(cleaned.Text) ?? FirstLine(cleaned.Text);
        return new ReadDocument(cleaned.Text, title, author ?? cleaned.Author, publisher ?? cleaned.Publisher, url, cleaned.RemovedLines);
    }

    private static ReadDocument ReadText(string content)
    {
        var cleaned = FurnitureFilter.Clean(content);
        var lines = cleaned.Text.Split('\n');
        var title = lines.Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        var sb = new StringBuilder(cleaned.Text.Length + 64);
        bool titleWritten = false;
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd();
            var trimmed = line.Trim();
            if (!titleWritten && trimmed.Length > 0)
            {
                sb.Append("# ").Append(trimmed).Append('\n');
                titleWritten = true;
                continue;
            }
            if (BulletGlyph().IsMatch(line))
                sb.Append("- ").Append(BulletGlyph().Replace(line, "")).Append('\n');
            else if (LooksLikeHeading(lines, i))
                sb.Append("## ").Append(trimmed).Append('\n');
            else
                sb.Append(line).Append('\n');
        }
        return new ReadDocument(sb.ToString().Trim('\n'), title, cleaned.Author, cleaned.Publisher, null, cleaned.RemovedLines);
    }

    // A short line standing alone between blank lines, without closing punctuation, reads as a heading.
    private static bool LooksLikeHeading(string[] lines, int i)
    {
        var t = lines[i].Trim();
        if (t.Length is 0 or > 80 || t.StartsWith('#') || t.StartsWith('|') || t.StartsWith('-'))
            return false;
        bool blankBefore = i == 0 || lines[i - 1].Trim().Length == 0;
        bool blankAfter = i + 1 >= lines.Length || lines[i + 1].Trim().Length == 0;
        if (!blankBefore || !blankAfter)
            return false;
        char last = t[^1];
        if (last is '.' or ',' or ';' or '!' || (last == ':' && t.Split(' ').Length > 6))
            return false;
        return char.IsUpper(t[0]) || char.IsDigit(t[0]);
    }

    private static ReadDocument ReadHtml(string content)
    {
        var document = new HtmlParser().ParseDocument(content);
        string? Meta(string selector) => document.QuerySelector(selector)?.GetAttribute("content")?.Trim() is { Length: > 0 } v ? v : null;

        var title = Meta("meta[property='og:title']") ?? document.QuerySelector("h1")?.TextContent.Trim() ?? document.Title?.Trim();
        var author = Meta("meta[name='author']");
        var publisher = Meta("meta[property='og:site_name']");
        var url = document.QuerySelector("link[rel='canonical']")?.GetAttribute("href") ?? Meta("meta[property='og:url']");

        foreach (var element in document.QuerySelectorAll("script, style, noscript, template, svg, iframe, form, nav, header, footer, aside, button, input, select, textarea, dialog").ToList())
            element.Remove();
        foreach (var element in document.All.Where(IsFurnitureContainer).ToList())
            element.Remove();

        var root = document.QuerySelector("article") ?? document.QuerySelector("main") ?? document.Body;
        var sb = new StringBuilder();
        if (root is not null)
            AppendBlock(root, sb);
        var cleaned = FurnitureFilter.Clean(CollapseSpaces(sb.ToString()), title);
        var text = cleaned.Text;
        if (title is not null && FirstHeading(text) is null)
            text = "# " + title + "\n\n" + text;
        return new ReadDocument(text, title, author ?? cleaned.Author, publisher ?? cleaned.Publisher, url, cleaned.RemovedLines);
    }

    private static readonly string[] FurnitureNames =
        ["comment", "signin", "sign-in", "signup", "sign-up", "login", "log-in", "share", "social", "related", "similar",
         "newsletter", "subscribe", "cookie", "toast", "breadcrumb", "sidebar", "author-bio", "advert", "promo", "modal"];

    private static bool IsFurnitureContainer(IElement element)
    {
        if (element.LocalName is "html" or "body" or "main" or "article")
            return false;
        var marker = (element.ClassName + " " + element.Id).ToLowerInvariant();
        return marker.Length > 1 && FurnitureNames.Any(marker.Contains);
    }

    private static void AppendBlock(INode node, StringBuilder sb)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText text)
            {
                sb.Append(text.Data);
                continue;
            }
            if (child is not IElement element)
                continue;
            switch (element.LocalName)
            {
                case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                    sb.Append("\n\n").Append('#', element.LocalName[1] - '0').Append(' ').Append(Inline(element)).Append("\n\n");
                    break;
                case "p" or "div" or "section" or "blockquote" or "figure" or "figcaption" or "dl" or "dd" or "dt":
                    sb.Append("\n\n");
                    AppendBlock(element, sb);
                    sb.Append("\n\n");
                    break;
                case "br":
                    sb.Append('\n');
                    break;
                case "ul" or "ol":
                    sb.Append("\n\n");
                    foreach (var li in element.Children.Where(c => c.LocalName == "li"))
                        sb.Append("- ").Append(Inline(li)).Append('\n');
                    sb.Append('\n');
                    break;
                case "pre":
                    sb.Append("\n\n```\n").Append(element.TextContent.Trim('\n')).Append("\n```\n\n");
                    break;
                case "table":
                    AppendTable(element, sb);
                    break;
                case "img":
                    break;
                default:
                    AppendBlock(element, sb);
                    break;
            }
        }
    }

    private static void AppendTable(IElement table, StringBuilder sb)
    {
        var rows = table.QuerySelectorAll("tr").Select(r => r.Children.Where(c => c.LocalName is "td" or "th").Select(c => Inline(c).Replace("|", "/", StringComparison.Ordinal)).ToList()).Where(r => r.Count > 0).ToList();
        if (rows.Count == 0)
            return;
        sb.Append("\n\n");
        for (int i = 0; i < rows.Count; i++)
        {
            sb.Append("| ").Append(string.Join(" | ", rows[i])).Append(" |\n");
            if (i == 0)
                sb.Append('|').Append(string.Concat(Enumerable.Repeat(" --- |", rows[0].Count))).Append('\n');
        }
        sb.Append('\n');
    }

    private static string Inline(IElement element) => CollapseSpaces(element.TextContent).Replace('\n', ' ').Trim();

    private static string CollapseSpaces(string text)
    {
        var sb = new StringBuilder(text.Length);
        var lines = text.Split('\n');
        foreach (var line in lines)
            sb.Append(Regex.Replace(line, @"[ \t\u00A0]+", " ").Trim()).Append('\n');
        return Regex.Replace(sb.ToString(), @"\n{3,}", "\n\n").Trim('\n');
    }

    private static string? FirstHeading(string text)
        => text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim();

    private static string? FirstLine(string text)
        => text.Split('\n').Select(l => l.Trim().TrimStart('#').Trim()).FirstOrDefault(l => l.Length > 0);
}
