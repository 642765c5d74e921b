using System.Collections.Concurrent;
using System.Threading.Channels;
using ChatAdvisor.Core;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels;

/// <summary>Why <see cref="TurnQueue.TryEnqueue"/> refused a turn.</summary>
public enum TurnQueueRefusal
{
    /// <summary>Accepted.</summary>
    None,
    /// <summary><see cref="ChannelsOptions.QueueCapacity"/> turns are already waiting.</summary>
    Full,
    /// <summary>The conversation already has <see cref="ChannelsOptions.MaxPendingPerConversation"/> turns waiting.</summary>
    ConversationBusy,
    /// <summary>The server is stopping.</summary>
    Stopping,
}

/// <summary>
/// The one work queue behind every channel: turns accepted by an endpoint (which answers its channel at once) and done
/// in the background. Turns are spread over <see cref="ChannelsOptions.MaxConcurrentTurns"/> lanes by conversation key,
/// so one conversation's turns run one at a time in arrival order (a quick follow-up is answered after the question it
/// follows) while different conversations proceed in parallel. Bounded in all and per conversation.
/// On shutdown new turns are refused and queued ones are finished within the host's shutdown timeout; what is left
/// then is cancelled and logged one by one, never dropped silently. Thread-safe; a singleton hosted service.
/// </summary>
public sealed class TurnQueue : IHostedService, IDisposable
{
    private readonly Channel<Turn>[] _lanes;
    private readonly ConcurrentDictionary<string, int> _perConversation = new(StringComparer.Ordinal);
    private readonly ChannelsOptions _options;
    private readonly ILogger<TurnQueue> _logger;
    private readonly CancellationTokenSource _abort = new();
    private Task[] _workers = [];
    private int _pending;
    private volatile bool _closed;

    private sealed record Turn(string ConversationKey, string Description, Func<CancellationToken, Task> Work);

    /// <summary>Creates the queue; the lanes start with the host.</summary>
    public TurnQueue(IOptions<ChannelsOptions> options, ILogger<TurnQueue> logger)
    {
        _options = options.Value;
        _logger = logger;
        _lanes = new Channel<Turn>[_options.MaxConcurrentTurns];
        for (var i = 0; i < _lanes.Length; i++)
            _lanes[i] = Channel.CreateUnbounded<Turn>(new UnboundedChannelOptions { SingleReader = true });
    }

    /// <summary>Turns accepted and not yet finished.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>
    /// Queues <paramref name="work"/> behind the turns of <paramref name="conversationKey"/>. The work receives a token
    /// that is cancelled only when the server gives up waiting for it at shutdown. <paramref name="description"/> names
    /// the turn in logs (an activity or event id, never user text).
    /// </summary>
    public TurnQueueRefusal TryEnqueue(string conversationKey, string description, Func<CancellationToken, Task> work)
    {
        if (_closed)
            return TurnQueueRefusal.Stopping;
        if (Interlocked.Increment(ref _pending) > _options.QueueCapacity)
        {
            Interlocked.Decrement(ref _pending);
            return TurnQueueRefusal.Full;
        }
        if (_perConversation.AddOrUpdate(conversationKey, 1, (_, n) => n + 1) > _options.MaxPendingPerConversation)
        {
            Release(conversationKey);
            return TurnQueueRefusal.ConversationBusy;
        }
        // string.GetHashCode is randomised per process, which is fine: lanes only need to be stable while it runs.
        var lane = _lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(conversationKey) % (uint)_lanes.Length)];
        if (lane.Writer.TryWrite(new Turn(conversationKey, description, work)))
        {
            Telemetry.QueuedTurns.Add(1);
            return TurnQueueRefusal.None;
        }
        Release(conversationKey);
        return TurnQueueRefusal.Stopping;
    }

    /// <summary>True when <paramref name="conversationKey"/> has as many turns waiting as it may.</summary>
    public bool IsBusy(string conversationKey)
        => _perConversation.TryGetValue(conversationKey, out var n) && n >= _options.MaxPendingPerConversation;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _workers = [.. _lanes.Select(lane => Task.Run(() => RunLaneAsync(lane.Reader), CancellationToken.None))];
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _closed = true;
        foreach (var lane in _lanes)
            lane.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout: stop the turns in progress; the lanes then log what is left and end.
            await _abort.CancelAsync();
            await Task.WhenAll(_workers);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _abort.Dispose();

    private void Release(string conversationKey)
    {
        Interlocked.Decrement(ref _pending);
        // Remove the entry when it reaches zero, so the map holds only conversations with work waiting.
        while (_perConversation.TryGetValue(conversationKey, out var n))
        {
            if (n <= 1 ? _perConversation.TryRemove(new KeyValuePair<string, int>(conversationKey, n)) : _perConversation.TryUpdate(conversationKey, n - 1, n))
                break;
        }
    }

    private async Task RunLaneAsync(ChannelReader<Turn> reader)
    {
        await foreach (var turn in reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                if (_abort.IsCancellationRequested)
                    TurnsLog.TurnDropped(_logger, turn.Description, turn.ConversationKey);
                else
                    await turn.Work(_abort.Token);
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                TurnsLog.TurnDropped(_logger, turn.Description, turn.ConversationKey);
            }
            catch (Exception exception)
            {
                TurnsLog.TurnFailed(_logger, turn.Description, exception);
            }
            finally
            {
                Telemetry.QueuedTurns.Add(-1);
                Release(turn.ConversationKey);
            }
        }
    }
}
