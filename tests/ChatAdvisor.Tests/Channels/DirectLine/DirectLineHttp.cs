using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatAdvisor.Tests.Infrastructure;

namespace ChatAdvisor.Tests.Channels.DirectLine;

/// <summary>A page's token grant: the conversation it is bound to and the token.</summary>
internal sealed record Grant(string ConversationId, string Token);

/// <summary>Requests the Direct Line tests send as Web Chat's page would.</summary>
internal static class DirectLineHttp
{
    /// <summary>A token from the page's own endpoint, as the web chat page gets it.</summary>
    public static async Task<Grant> PageTokenAsync(TestServer server)
    {
        var response = await server.Client.PostAsync("/api/directline/token", null);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return new Grant(body!["conversationId"]!.GetValue<string>(), body["token"]!.GetValue<string>());
    }

    /// <summary>A request with the bearer token; <paramref name="body"/> is sent as it is when it is content, else as JSON.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Content = body switch
        {
            null => null,
            HttpContent content => content,
            _ => new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        return request;
    }

    /// <summary>The next whole text frame of a Direct Line stream (an empty string is the heartbeat).</summary>
    public static async Task<string> ReceiveAsync(System.Net.WebSockets.ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        System.Net.WebSockets.WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancellationToken);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return Encoding.UTF8.GetString(message.ToArray());
    }
}
