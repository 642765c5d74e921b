using System.Net;
using System.Net.Http.Json;
using ChatAdvisor.Hosting;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Tests.Api;

/// <summary>
/// Which sites may show the chat widget (<c>Embed:AllowedOrigins</c>): the panel page's <c>frame-ancestors</c>, the
/// CORS answers, the 403 for a token asked from another site, and the setting's check at start.
/// </summary>
public sealed class EmbedOriginsTests
{
    private const string Docs = "https://docs.example.com";
    private const string Stranger = "https://elsewhere.example.net";

    private static Task<TestServer> StartAsync(params string[] allowed)
    {
        var settings = new Dictionary<string, string?>();
        for (int i = 0; i < allowed.Length; i++)
            settings[$"Embed:AllowedOrigins:{i}"] = allowed[i];
        return TestServer.StartAsync(settings);
    }

    private static HttpRequestMessage From(HttpMethod method, string path, string? origin)
    {
        var request = new HttpRequestMessage(method, path);
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        return request;
    }

    [Theory]
    [InlineData("/embed")]
    [InlineData("/embed.html")]
    public async Task EmbedPage_WithAllowedOrigins_MayBeFramedByThoseSitesOnly(string path)
    {
        await using var server = await StartAsync(Docs, "http://intranet.example:8080");

        using var response = await server.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("frame-ancestors 'self' http://intranet.example:8080 https://docs.example.com", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Contains("id=\"embed-title\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EmbedPage_WithNoList_MayBeFramedByTheAdvisorOnly()
    {
        await using var server = await StartAsync();

        using var response = await server.Client.GetAsync("/embed");

        Assert.Equal("frame-ancestors 'self'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task EmbedScript_IsServedAsJavaScript_Revalidated()
    {
        await using var server = await StartAsync();

        using var response = await server.Client.GetAsync("/embed.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Contains("api/embed/access", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Access_FromAnAllowedSite_IsGrantedAndReadable()
    {
        await using var server = await StartAsync(Docs);

        using var response = await server.Client.SendAsync(From(HttpMethod.Get, "/api/embed/access", "https://Docs.Example.com"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("https://Docs.Example.com", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("Origin", response.Headers.Vary);
    }

    [Fact]
    public async Task Access_FromAnotherSite_Is403ProblemThatThePageCanRead()
    {
        await using var server = await StartAsync(Docs);

        using var response = await server.Client.SendAsync(From(HttpMethod.Get, "/api/embed/access", Stranger));
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Origin not allowed", problem?.Title);
        Assert.Contains("Embed:AllowedOrigins", problem?.Detail);
        // Readable by the refused page, so the widget can say why in the browser console.
        Assert.Equal(Stranger, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task Token_FromAnotherSite_Is403Problem()
    {
        await using var server = await StartAsync(Docs);

        using var response = await server.Client.SendAsync(From(HttpMethod.Post, "/api/directline/token", Stranger));
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("Origin not allowed", problem?.Title);
        Assert.Contains(Stranger, problem?.Detail);
    }

    [Fact]
    public async Task Token_FromAnAllowedSite_IsIssuedWithCors()
    {
        await using var server = await StartAsync(Docs);

        using var response = await server.Client.SendAsync(From(HttpMethod.Post, "/api/directline/token", Docs));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Docs, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task Token_WithNoList_IsIssuedToTheAdvisorsOwnPagesOnly()
    {
        await using var server = await StartAsync();
        var own = server.BaseAddress.GetLeftPart(UriPartial.Authority);

        using var fromOwnPage = await server.Client.SendAsync(From(HttpMethod.Post, "/api/directline/token", own));
        using var fromOwnFrame = From(HttpMethod.Post, "/api/directline/token", "http://proxy-rewritten.example");
        fromOwnFrame.Headers.Add("Sec-Fetch-Site", "same-origin");
        using var sameOrigin = await server.Client.SendAsync(fromOwnFrame);
        using var fromServer = await server.Client.SendAsync(From(HttpMethod.Post, "/api/directline/token", null));
        using var fromStranger = await server.Client.SendAsync(From(HttpMethod.Post, "/api/directline/token", Stranger));

        Assert.Equal(HttpStatusCode.OK, fromOwnPage.StatusCode);
        Assert.False(fromOwnPage.Headers.Contains("Access-Control-Allow-Origin"), "a same-origin answer needs no CORS header");
        Assert.Equal(HttpStatusCode.OK, sameOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromServer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fromStranger.StatusCode);
    }

    [Fact]
    public async Task TokenPreflight_FollowsTheList()
    {
        await using var server = await StartAsync(Docs);

        using var allowed = await server.Client.SendAsync(From(HttpMethod.Options, "/api/directline/token", Docs));
        using var refused = await server.Client.SendAsync(From(HttpMethod.Options, "/api/directline/token", Stranger));

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(Docs, Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("POST", Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Methods")));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task DirectLineCors_WithBothLists_AdmitsEmbeddingSitesAndListedOriginsOnly()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Embed:AllowedOrigins:0"] = Docs,
            ["DirectLine:AllowedOrigins:0"] = "https://app.example.org",
        });

        async Task<bool> ReadableFrom(string origin)
        {
            using var response = await server.Client.SendAsync(From(HttpMethod.Options, "/v3/directline/conversations", origin));
            return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Single() == origin;
        }

        Assert.True(await ReadableFrom("https://app.example.org"));
        Assert.True(await ReadableFrom(Docs));
        Assert.False(await ReadableFrom(Stranger));
    }

    [Theory]
    [InlineData("https://docs.example.com/")]
    [InlineData("https://docs.example.com/help")]
    [InlineData("https://*.example.com")]
    [InlineData("docs.example.com")]
    [InlineData("ftp://docs.example.com")]
    [InlineData("https://docs.example.com?x=1")]
    public async Task StartAsync_InvalidEmbedOrigin_FailsNamingTheSetting(string origin)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(origin));

        Assert.Contains("Embed:AllowedOrigins", error.Message);
        Assert.Contains(origin, error.Message);
    }

    [Theory]
    [InlineData("https://Docs.Example.com", "https://docs.example.com")]
    [InlineData("https://docs.example.com:443", "https://docs.example.com")]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5080")]
    [InlineData("http://[::1]:8080", "http://[::1]:8080")]
    [InlineData("https://docs.example.com/", null)]
    [InlineData("https://docs.example.com/../x", null)]
    [InlineData("null", null)]
    [InlineData("", null)]
    public void Normalize_IsTheOriginAsBrowsersSendIt(string value, string? expected)
        => Assert.Equal(expected, BrowserOrigins.Normalize(value));
}
