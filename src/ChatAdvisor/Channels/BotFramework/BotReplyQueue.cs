using System.Threading.Channels;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>
/// Turns accepted by <c>/api/messages</c> and answered in the background, so the channel gets its 200 at once
/// (the Bot Connector gives up after 15 s and re-posts). A few workers take turns from a bounded queue; when it is
/// full the endpoint answers 503 and the channel retries later. Thread-safe; a singleton hosted service.
/// </summary>
public sealed class BotReplyQueue(
    BotTurnHandler handler,
    ConnectorClient connector,
    ILogger<BotReplyQueue> logger) : BackgroundService
{
    /// <summary>Turns waiting at most.</summary>
    public const int Capacity = 256;

    /// <summary>Turns answered at the same time.</summary>
    public const int Workers = 4;

    private readonly Channel<Activity> _queue = Channel.CreateBounded<Activity>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleWriter = false,
        SingleReader = false,
    });

    /// <summary>Queues <paramref name="activity"/>; false when the queue is full.</summary>
    public bool TryEnqueue(Activity activity) => _queue.Writer.TryWrite(activity);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => WorkAsync(stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var activity in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await handler.HandleAsync(activity, new ConnectorReplySink(connector, activity), stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    BotFrameworkLog.TurnFailed(logger, ex, activity.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
