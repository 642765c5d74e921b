using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatAdvisor.Tests.Infrastructure;

namespace ChatAdvisor.Tests.Hosting;

/// <summary>
/// Who may frame the advisor's pages: every page, and every error a browser may show as one, says so with
/// <c>frame-ancestors</c> (and <c>X-Frame-Options</c> for older browsers when only the advisor may), from the same
/// origin policy as the embeddable panel.
/// </summary>
public sealed class PageFramingTests
{
    private static AppFactory Create(params string[] embedOrigins)
    {
        var settings = new Dictionary<string, string?>();
        for (int i = 0; i < embedOrigins.Length; i++)
            settings[$"Embed:AllowedOrigins:{i}"] = embedOrigins[i];
        return new AppFactory(settings);
    }

    private static async Task<string> ArticlePathAsync(AppFactory app)
    {
        var articles = await app.Client.GetFromJsonAsync<JsonElement>("/api/webchat/articles");
        return "/articles/" + articles[0].GetProperty("id").GetString();
    }

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? Assert.Single(values) : null;

    [Fact]
    public async Task Pages_WithNoEmbeddingSites_MayBeFramedByTheAdvisorOnly()
    {
        await using var app = Create();
        string[] paths = ["/", "/index.html", "/embed", await ArticlePathAsync(app), "/articles/no-such-article", "/no-such-page"];

        foreach (var path in paths)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
            using var response = await app.Client.SendAsync(request);

            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
            Assert.Equal("frame-ancestors 'self'", Header(response, "Content-Security-Policy"));
            Assert.Equal("SAMEORIGIN", Header(response, "X-Frame-Options"));
        }
    }

    [Fact]
    public async Task Pages_WithEmbeddingSites_MayBeFramedByThemAndSendNoFrameOptions()
    {
        await using var app = Create("https://docs.example.com", "http://intranet.example:8080");
        string[] paths = ["/", "/embed", await ArticlePathAsync(app), "/articles/no-such-article"];

        foreach (var path in paths)
        {
            using var response = await app.Client.GetAsync(path);

            Assert.Equal("frame-ancestors 'self' http://intranet.example:8080 https://docs.example.com", Header(response, "Content-Security-Policy"));
            // X-Frame-Options cannot name other sites; sent, it would keep them from framing the panel in older browsers.
            Assert.Null(Header(response, "X-Frame-Options"));
        }
    }
}
