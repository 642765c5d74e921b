using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using ChatAdvisor.Api;
using ChatAdvisor.Core.Ingestion;
using ChatAdvisor.Hosting;
using ChatAdvisor.Tests.Infrastructure;

namespace ChatAdvisor.Tests.Api;

/// <summary>
/// The web chat page's files on the wire: compressed, linked by content version and cached for a year; and the
/// article pages that citations open.
/// </summary>
public sealed partial class WebPageTests
{
    [Fact]
    public async Task WidgetBundle_WithBrotli_IsSentCompressedUnderOneMegabyte()
    {
        await using var server = await TestServer.StartAsync();
        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseAddress };

        var raw = await client.GetByteArrayAsync("/lib/webchat.js");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/lib/webchat.js");
        request.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br");
        using var response = await client.SendAsync(request);
        var compressed = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("br", Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.True(compressed.Length < 1_000_000, $"the 3.9 MB bundle is sent in {compressed.Length} bytes");
        using var decoded = new MemoryStream();
        await new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress).CopyToAsync(decoded);
        Assert.Equal(raw, decoded.ToArray());
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
    }

    [Fact]
    public async Task Page_LinksItsFilesByVersion_AndThoseAreCachedForAYear()
    {
        await using var server = await TestServer.StartAsync();

        var page = await server.Client.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();
        var link = VersionedScript().Match(html);
        Assert.True(link.Success, "the page links app.js by version");
        var versioned = await server.Client.GetAsync(link.Groups["url"].Value);
        var unversioned = await server.Client.GetAsync("/app.js");

        Assert.Equal("no-cache", page.Headers.CacheControl?.ToString());
        Assert.True(versioned.Headers.CacheControl?.MaxAge >= TimeSpan.FromDays(365), "a versioned file is cached for a year");
        Assert.Contains("immutable", versioned.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Equal("no-cache", unversioned.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task StaticFile_WithItsETag_Returns304()
    {
        await using var server = await TestServer.StartAsync();
        var first = await server.Client.GetAsync("/site.css");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var again = new HttpRequestMessage(HttpMethod.Get, "/site.css");
        again.Headers.IfNoneMatch.Add(etag);
        var second = await server.Client.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
    }

    [Fact]
    public async Task ArticlePage_KnownArticle_ShowsItsTextWithOffsets_UnknownIs404()
    {
        await using var server = await TestServer.StartAsync();
        var articles = await server.Client.GetStringAsync("/api/webchat/articles");
        var id = ArticleId().Match(articles).Groups["id"].Value;

        var page = await server.Client.GetAsync("/articles/" + id);
        var missing = await server.Client.GetAsync("/articles/no-such-article");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("data-start=", html, StringComparison.Ordinal);
        Assert.Contains("article.js?v=", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public void ArticleBlocks_EachBlock_IsTheArticlesTextAtItsOffset()
    {
        const string text = "# Title\n\n## Django\n\nDjango has an ORM.\nIt has an admin.\n\n- Batteries included\n- Mature\n\nThe end.";

        var blocks = ArticlePage.Blocks(text).Select(b => (b.Kind, Text: text.Substring(b.Start, b.Length))).ToList();

        Assert.Equal(
            [("h1", "Title"), ("h2", "Django"), ("p", "Django has an ORM.\nIt has an admin."), ("li", "Batteries included"), ("li", "Mature"), ("p", "The end.")],
            blocks);
    }

    [Fact]
    public void ArticlePage_TextWithScriptEnd_CannotCloseTheEmbeddedText()
    {
        var article = new Article("a", "A <b>title</b>", "Text with </script><script>alert(1)</script> inside.", []);
        using var folder = new TempFolder();

        var html = ArticlePage.Render(article, new StaticAssets(folder.Path));

        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.Contains("A &lt;b&gt;title&lt;/b&gt;", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("""src="(?<url>app\.js\?v=[0-9a-f]+)" """)]
    private static partial Regex VersionedScript();

    [GeneratedRegex("""\{"id":"(?<id>[^"]+)""")]
    private static partial Regex ArticleId();
}
