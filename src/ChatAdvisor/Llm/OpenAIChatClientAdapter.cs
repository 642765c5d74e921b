using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ChatAdvisor.Core.Answering.Llm;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using OpenAIChatMessage = OpenAI.Chat.ChatMessage;

namespace ChatAdvisor.Llm;

/// <summary>
/// An <see cref="IChatClient"/> over the OpenAI SDK's <see cref="ChatClient"/>: text messages in, text out, streamed
/// or not. SDK failures become <see cref="LlmCallException"/>s whose messages hold no key, prompt or reply text.
/// Thread-safe.
/// </summary>
internal sealed class OpenAIChatClientAdapter(ChatClient client, ChatClientMetadata metadata) : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatCompletion completion;
        try
        {
            completion = (await client.CompleteChatAsync(ToOpenAI(messages), ToOpenAI(options), cancellationToken)).Value;
        }
        catch (Exception exception) when (Translate(exception) is { } translated)
        {
            throw translated;
        }
        var text = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        return new ChatResponse(new AIChatMessage(ChatRole.Assistant, text))
        {
            ModelId = completion.Model,
            FinishReason = completion.FinishReason == OpenAI.Chat.ChatFinishReason.Length ? Microsoft.Extensions.AI.ChatFinishReason.Length : Microsoft.Extensions.AI.ChatFinishReason.Stop,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var updates = client.CompleteChatStreamingAsync(ToOpenAI(messages), ToOpenAI(options), cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                StreamingChatCompletionUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync())
                        yield break;
                    update = updates.Current;
                }
                catch (Exception exception) when (Translate(exception) is { } translated)
                {
                    throw translated;
                }
                foreach (var part in update.ContentUpdate)
                {
                    if (!string.IsNullOrEmpty(part.Text))
                        yield return new ChatResponseUpdate(ChatRole.Assistant, part.Text) { ModelId = update.Model };
                }
            }
        }
        finally
        {
            await updates.DisposeAsync();
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        if (serviceKey is not null)
            return null;
        if (serviceType == typeof(ChatClientMetadata))
            return metadata;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
    }

    private static List<OpenAIChatMessage> ToOpenAI(IEnumerable<AIChatMessage> messages)
    {
        var result = new List<OpenAIChatMessage>();
        foreach (var message in messages)
        {
            OpenAIChatMessage converted = message.Role == ChatRole.System ? new SystemChatMessage(message.Text)
                : message.Role == ChatRole.Assistant ? new AssistantChatMessage(message.Text)
                : new UserChatMessage(message.Text);
            result.Add(converted);
        }
        return result;
    }

    private static ChatCompletionOptions ToOpenAI(ChatOptions? options)
    {
        var result = new ChatCompletionOptions();
        if (options?.MaxOutputTokens is { } max)
            result.MaxOutputTokenCount = max;
        if (options?.Temperature is { } temperature)
            result.Temperature = temperature;
        return result;
    }

    /// <summary>The failure an SDK exception stands for, or null to let it through (cancellation, bugs).</summary>
    internal static LlmCallException? Translate(Exception exception)
    {
        switch (exception)
        {
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
