using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatAdvisor.Tests.Infrastructure;

namespace ChatAdvisor.Tests.Api;

public class AskApiRateLimitTests
{
    private static HttpRequestMessage Ask(string forwardedFor) => new(HttpMethod.Post, "/api/ask")
    {
        Content = JsonContent.Create(new { question = "Who created Flask?" }),
        Headers = { { "X-Forwarded-For", forwardedFor } },
    };

    [Fact]
    public async Task Ask_PastThePermits_Gets429WithRetryAfterAndProblemDetails()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["RateLimits:Ask:PermitLimit"] = "2",
            ["RateLimits:Ask:WindowSeconds"] = "60",
        });

        for (int i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsJsonAsync("/api/ask", new { question = "Who created Flask?" })).StatusCode);
        var limited = await server.Client.PostAsJsonAsync("/api/ask", new { question = "Who created Flask?" });

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.True(limited.Headers.RetryAfter!.Delta!.Value > TimeSpan.Zero);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        var problem = await limited.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Ask_ForwardedForFromAnUnknownProxy_IsIgnored()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["RateLimits:Ask:PermitLimit"] = "2",
        });

        // Every request claims another client address; the loopback peer is not a configured proxy, so all count as one client.
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(Ask("203.0.113.1"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(Ask("203.0.113.2"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await server.Client.SendAsync(Ask("203.0.113.3"))).StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.0/8")]     // a network, as for an ingress controller whose pods change address
    public async Task Ask_ForwardedForFromAKnownProxy_LimitsEachClientSeparately(string proxy)
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["RateLimits:Ask:PermitLimit"] = "1",
            ["Http:KnownProxies:0"] = proxy,
        });

        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(Ask("203.0.113.1"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(Ask("203.0.113.2"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await server.Client.SendAsync(Ask("203.0.113.1"))).StatusCode);
    }

    [Fact]
    public async Task DirectLineToken_PastThePermits_Gets429()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["RateLimits:DirectLineToken:PermitLimit"] = "1",
        });

        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsync("/api/directline/token", null)).StatusCode);
        var limited = await server.Client.PostAsync("/api/directline/token", null);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
    }
}
