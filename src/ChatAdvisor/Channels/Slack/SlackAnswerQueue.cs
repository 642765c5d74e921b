using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.Slack;

/// <summary>
/// Work accepted from Slack, done in the background after the request has been acknowledged (Slack wants an answer
/// within 3 s). Work is spread over <see cref="SlackOptions.MaxConcurrentAnswers"/> lanes by conversation, so one
/// thread's questions are answered in order while different threads proceed in parallel.
/// On shutdown, new work is refused (503, so Slack retries elsewhere or later) and queued work is finished within the
/// host's shutdown timeout; what is left then is logged one item at a time, never dropped silently. Thread-safe.
/// </summary>
public sealed class SlackAnswerQueue : IHostedService, IDisposable
{
    private readonly Channel<SlackWork>[] _lanes;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger<SlackAnswerQueue> _logger;
    private readonly int _capacity;
    private readonly CancellationTokenSource _abort = new();
    private Task[] _workers = [];
    private int _pending;
    private volatile bool _closed;

    /// <summary>Creates the queue; the lanes start with the host.</summary>
    public SlackAnswerQueue(IServiceScopeFactory scopes, IOptions<SlackOptions> options, ILogger<SlackAnswerQueue> logger)
    {
        _scopes = scopes;
        _logger = logger;
        _capacity = options.Value.QueueCapacity;
        _lanes = new Channel<SlackWork>[options.Value.MaxConcurrentAnswers];
        for (var i = 0; i < _lanes.Length; i++)
            _lanes[i] = Channel.CreateUnbounded<SlackWork>(new UnboundedChannelOptions { SingleReader = true });
    }

    /// <summary>Work accepted and not yet finished.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Queues <paramref name="work"/>; false when the queue is full or the server is stopping.</summary>
    public bool TryEnqueue(SlackWork work)
    {
        if (_closed)
            return false;
        if (Interlocked.Increment(ref _pending) > _capacity)
        {
            Interlocked.Decrement(ref _pending);
            return false;
        }
        // string.GetHashCode is randomised per process, which is fine: lanes only need to be stable while it runs.
        var lane = _lanes[(int)((uint)StringComparer.Ordinal.GetHashCode(work.ConversationId) % (uint)_lanes.Length)];
        if (lane.Writer.TryWrite(work))
            return true;
        Interlocked.Decrement(ref _pending);
        return false;
    }

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
            // The host's shutdown timeout: stop the answers in progress; the lanes then log what is left and end.
            await _abort.CancelAsync();
            await Task.WhenAll(_workers);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _abort.Dispose();

    private async Task RespondAsync(SlackWork work)
    {
        // A scope per piece of work: the responder's typed HttpClient is transient and must not outlive it.
        await using var scope = _scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SlackResponder>().RespondAsync(work, _abort.Token);
    }

    private async Task RunLaneAsync(ChannelReader<SlackWork> reader)
    {
        await foreach (var work in reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                if (_abort.IsCancellationRequested)
                    SlackLog.WorkDropped(_logger, work.Key, work.ConversationId);
                else
                    await RespondAsync(work);
            }
            catch (OperationCanceledException) when (_abort.IsCancellationRequested)
            {
                SlackLog.WorkDropped(_logger, work.Key, work.ConversationId);
            }
            catch (Exception exception)
            {
                SlackLog.AnswerFailed(_logger, work.Key, exception);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }
}
