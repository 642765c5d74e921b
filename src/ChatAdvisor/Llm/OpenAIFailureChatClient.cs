using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ChatAdvisor.Core.Answering.Llm;
using Microsoft.Extensions.AI;

namespace ChatAdvisor.Llm;

/// <summary>
/// Turns the OpenAI SDK's failures (status codes, transport errors, unreadable replies) into
/// <see cref="LlmCallException"/>s whose messages hold no key, prompt or reply text, with a 429's Retry-After.
/// Sits right above the provider's client. Thread-safe.
/// </summary>
internal sealed class OpenAIFailureChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (Translate(exception) is { } translated)
        {
            throw translated;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerator<ChatResponseUpdate> updates;
        try
        {
            updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception exception) when (Translate(exception) is { } translated)
        {
            throw translated;
        }
        try
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                        yield break;
                }
                catch (Exception exception) when (Translate(exception) is { } translated)
                {
                    throw translated;
                }
                yield return updates.Current;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The failure an SDK exception stands for, or null to let it through (cancellation, bugs).</summary>
    internal static LlmCallException? Translate(Exception exception)
    {
        switch (exception)
        {
            case LlmCallException or OperationCanceledException:
                return null;
            case ClientResultException { Status: 0 } transport:
                return new LlmCallException(LlmFailureKind.Unreachable, DescribeTransport(transport.InnerException), innerException: null);
            case ClientResultException { Status: 429 } limited:
                var retryAfter = RetryAfter(limited.GetRawResponse());
                var wait = retryAfter is { } delay ? $", retry after {delay.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s" : "";
                return new LlmCallException(LlmFailureKind.RateLimited, $"status 429{wait}", retryAfter);
            case ClientResultException { Status: >= 500 } server:
                return new LlmCallException(LlmFailureKind.ServerError, $"status {server.Status}");
            case ClientResultException rejected:
                return new LlmCallException(LlmFailureKind.Rejected, $"status {rejected.Status}");
            case HttpRequestException http:
                return new LlmCallException(LlmFailureKind.Unreachable, DescribeTransport(http));
            case JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException:
                return new LlmCallException(LlmFailureKind.MalformedOutput, $"the reply could not be read ({exception.GetType().Name})");
            default:
                return null;
        }
    }

    private static string DescribeTransport(Exception? exception) => exception switch
    {
        HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http => $"transport error {http.HttpRequestError}",
        HttpRequestException { InnerException: System.Net.Sockets.SocketException socket } => $"transport error {socket.SocketErrorCode}",
        null => "transport error",
        _ => $"transport error ({exception.GetType().Name})",
    };

    /// <summary>Reads <c>retry-after-ms</c> (OpenAI) or <c>Retry-After</c> (seconds or an HTTP date).</summary>
    internal static TimeSpan? RetryAfter(PipelineResponse? response)
    {
        if (response is null)
            return null;
        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds >= 0)
            return TimeSpan.FromMilliseconds(milliseconds);
        if (!response.Headers.TryGetValue("Retry-After", out var value) || value is null)
            return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(seconds);
        if (RetryConditionHeaderValue.TryParse(value, out var header) && header.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
