using System.Threading.Channels;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>
/// Turns accepted by <c>/api/messages</c> and answered in the background, so the channel gets its 200 at once
/// (the Bot Connector gives up after 15 s and re-posts). Turns are spread over a few workers by conversation:
/// one conversation's turns always go to the same worker, so a quick follow-up is answered after the question it
/// follows. Each worker's queue is bounded; when it is full the endpoint answers 503 and the channel retries
/// later. Thread-safe; a singleton hosted service.
/// </summary>
public sealed class BotReplyQueue : BackgroundService
{
    /// <summary>Turns answered at the same time.</summary>
    public const int Workers = 4;

    /// <summary>Turns waiting at most, per worker.</summary>
    public const int CapacityPerWorker = 64;

    private readonly BotTurnHandler _handler;
    private readonly ConnectorClient _connector;
    private readonly ILogger<BotReplyQueue> _logger;
    private readonly Channel<Activity>[] _queues;

    public BotReplyQueue(BotTurnHandler handler, ConnectorClient connector, ILogger<BotReplyQueue> logger)
    {
        _handler = handler;
        _connector = connector;
        _logger = logger;
        _queues = [.. Enumerable.Range(0, Workers).Select(_ => Channel.CreateBounded<Activity>(new BoundedChannelOptions(CapacityPerWorker)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        }))];
    }

    /// <summary>Queues <paramref name="activity"/>; false when its worker's queue is full.</summary>
    public bool TryEnqueue(Activity activity)
    {
        // string.GetHashCode is randomised per process but stable within it, which is all the routing needs.
        var worker = (int)((uint)BotTurnHandler.ConversationKey(activity).GetHashCode() % Workers);
        return _queues[worker].Writer.TryWrite(activity);
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(_queues.Select(queue => WorkAsync(queue.Reader, stoppingToken)));

    private async Task WorkAsync(ChannelReader<Activity> reader, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var activity in reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await _handler.HandleAsync(activity, new ConnectorReplySink(_connector, activity), stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    BotFrameworkLog.TurnFailed(_logger, ex, activity.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
