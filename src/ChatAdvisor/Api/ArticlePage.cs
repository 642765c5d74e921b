using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Ingestion;
using ChatAdvisor.Hosting;

namespace ChatAdvisor.Api;

/// <summary>
/// <c>GET /articles/{id}</c>: an article of the corpus as a readable page, the text its citations quote. A citation
/// opens it as <c>/articles/{id}#quote=…</c> and the page's script (<c>article.js</c>) scrolls to that passage and
/// highlights it. Each block of the page (heading, paragraph, list item) carries <c>data-start</c>, the offset of its
/// text in the article, and the article's text travels with the page, so the passage is found exactly.
/// </summary>
public static partial class ArticlePage
{
    /// <summary>Maps the article pages.</summary>
    public static WebApplication MapArticlePages(this WebApplication app, StaticAssets assets)
    {
        // One rendering per article version: the corpus changes only when it is re-indexed.
        var pages = new ConcurrentDictionary<string, StaticAsset>(StringComparer.Ordinal);
        app.MapGet("/articles/{id}", async (string id, HttpContext context, Advisor advisor, CancellationToken cancellationToken) =>
        {
            var articles = await advisor.GetArticlesAsync(cancellationToken);
            if (articles.FirstOrDefault(a => a.Id == id) is not { } article)
                return Results.NotFound();
            var page = pages.GetOrAdd(article.Id + "\n" + article.ContentHash,
                _ => StaticAsset.FromBytes(Encoding.UTF8.GetBytes(Render(article, assets)), "text/html; charset=utf-8"));
            return new AssetResult(page);
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>The article as an HTML page.</summary>
    public static string Render(Article article, StaticAssets assets)
    {
        static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
        string Link(string file) => "../" + file + (assets.Find(file) is { } asset ? "?v=" + asset.Version : "");

        var html = new StringBuilder(article.Text.Length * 2 + 2048);
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"color-scheme\" content=\"light dark\">\n")
            .Append("<title>").Append(E(article.Title)).Append(" — ChatAdvisor</title>\n")
            .Append("<link rel=\"icon\" href=\"data:,\">\n")
            .Append("<link rel=\"stylesheet\" href=\"").Append(Link("site.css")).Append("\">\n")
            .Append("<script src=\"").Append(Link("article.js")).Append("\" defer></script>\n")
            .Append("</head>\n<body class=\"article-page\">\n")
            .Append("<a class=\"skip-link\" href=\"#article\">Skip to the article</a>\n")
            .Append("<header class=\"site-header\"><p class=\"brand\"><a href=\"../\">ChatAdvisor</a></p>")
            .Append("<p class=\"tagline\">A source the advisor answers from</p></header>\n")
            .Append("<main id=\"article\" class=\"article-view\" tabindex=\"-1\">\n<article>\n")
            .Append("<h1>").Append(E(article.Title)).Append("</h1>\n");

        var by = string.Join(", ", new[] { article.Author, article.Publisher }.Where(s => !string.IsNullOrWhiteSpace(s)));
        bool original = Uri.TryCreate(article.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https";
        if (by.Length > 0 || original)
        {
            html.Append("<p class=\"byline\">").Append(E(by));
            if (original)
                html.Append(by.Length > 0 ? " · " : "").Append("<a href=\"").Append(E(url!.AbsoluteUri)).Append("\" rel=\"noopener noreferrer\">The original article</a>");
            html.Append("</p>\n");
        }
        html.Append("<p id=\"quote-status\" class=\"quote-status\" role=\"status\" hidden></p>\n");

        bool inList = false;
        foreach (var block in Blocks(article.Text))
        {
            // The article's own title heading is the page's h1 already.
            if (block.Kind == "h1" && article.Text.AsSpan(block.Start, block.Length).Trim().SequenceEqual(article.Title.AsSpan().Trim()))
                continue;
            if (block.Kind != "li" && inList)
            {
                html.Append("</ul>\n");
                inList = false;
            }
            if (block.Kind == "li" && !inList)
            {
                html.Append("<ul>\n");
                inList = true;
            }
            // Another H1 in the article ranks below the page title.
            string tag = block.Kind == "h1" ? "h2" : block.Kind;
            html.Append('<').Append(tag).Append(" data-start=\"").Append(block.Start.ToString(CultureInfo.InvariantCulture)).Append("\">")
                .Append(E(article.Text.Substring(block.Start, block.Length))).Append("</").Append(tag).Append(">\n");
        }
        if (inList)
            html.Append("</ul>\n");

        html.Append("</article>\n</main>\n")
            .Append("<script id=\"article-text\" type=\"application/json\">")
            // JSON inside a script element: "<" is escaped by the serializer, so "</script>" cannot end it early.
            .Append(JsonSerializer.Serialize(article.Text))
            .Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>
    /// The blocks of markdown-like text: headings (<c>#</c>), list items (<c>-</c>, <c>*</c>, <c>1.</c>) and
    /// paragraphs (lines up to a blank line), each as the offset and length of its visible text (markers left out).
    /// </summary>
    internal static IEnumerable<(string Kind, int Start, int Length)> Blocks(string text)
    {
        int position = 0;
        int paragraphStart = -1, paragraphEnd = -1;
        while (position <= text.Length)
        {
            int lineEnd = text.IndexOf('\n', position);
            if (lineEnd < 0)
                lineEnd = text.Length;
            var line = text[position..lineEnd].TrimEnd('\r');
            int indent = line.Length - line.TrimStart().Length;

            Match heading = HeadingLine().Match(line);
            Match item = ListItem().Match(line);
            bool blank = indent == line.Length;
            if ((blank || heading.Success || item.Success) && paragraphStart >= 0)
            {
                yield return ("p", paragraphStart, paragraphEnd - paragraphStart);
                paragraphStart = -1;
            }
            if (heading.Success)
            {
                var content = heading.Groups["text"];
                yield return ("h" + Math.Min(heading.Groups["marks"].Length, 4).ToString(CultureInfo.InvariantCulture), position + content.Index, content.Length);
            }
            else if (item.Success)
            {
                var content = item.Groups["text"];
                yield return ("li", position + content.Index, content.Length);
            }
            else if (!blank)
            {
                if (paragraphStart < 0)
                    paragraphStart = position + indent;
                paragraphEnd = position + line.Length;
            }
            position = lineEnd + 1;
        }
        if (paragraphStart >= 0)
            yield return ("p", paragraphStart, paragraphEnd - paragraphStart);
    }

    [GeneratedRegex(@"^(?<marks>#{1,6})[ \t]+(?<text>.*?)[ \t#]*$")]
    private static partial Regex HeadingLine();

    [GeneratedRegex(@"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+(?<text>.*?)[ \t]*$")]
    private static partial Regex ListItem();

    /// <summary>Writes a <see cref="StaticAsset"/> as an endpoint's result.</summary>
    private sealed class AssetResult(StaticAsset asset) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => asset.WriteAsync(httpContext);
    }
}
