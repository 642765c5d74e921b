using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Core.Conversations;

/// <summary>
/// Opens the conversation store as the host starts — failing start-up with a message naming <c>Storage:Path</c> when
/// the folder cannot be written, moving a damaged database aside — and then, every
/// <see cref="StorageOptions.CleanupIntervalMinutes"/> on <see cref="TimeProvider"/>, deletes expired conversations,
/// enforces <see cref="StorageOptions.MaxDatabaseBytes"/> and returns free pages to the file system.
/// </summary>
public sealed class StorageMaintenance(IConversationStore store, IOptions<StorageOptions> options, TimeProvider time, ILogger<StorageMaintenance> logger)
    : BackgroundService
{
    private PeriodicTimer? _timer;

    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        // Created here rather than in ExecuteAsync (which runs later on the thread pool) so the schedule starts with the host.
        _timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.CleanupIntervalMinutes), time);
        await base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timer = _timer!;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await store.CleanUpAsync(stoppingToken);
                }
                catch (StorageUnavailableException exception)
                {
                    Log.CleanupFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

/// <summary>
/// Reports the conversation store to <c>/readyz</c> as <c>storage</c>: a real write and read of a probe row. A success
/// is reused for a second, so a busy <c>/readyz</c> does not turn into a stream of writes; a failure is probed again.
/// </summary>
public sealed class StorageReadiness(IConversationStore store, TimeProvider time) : IReadinessContributor
{
    private readonly Lock _gate = new();
    private ComponentStatus? _last;
    private DateTimeOffset _lastAt;

    /// <inheritdoc />
    public string Name => "storage";

    /// <inheritdoc />
    public ComponentStatus GetStatus()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_last is { Ready: true } && now - _lastAt < TimeSpan.FromSeconds(1) && now >= _lastAt)
                return _last;
        }
        // A tiny local write; waiting on it keeps the report honest without blocking for long.
        var failure = store.ProbeAsync().GetAwaiter().GetResult();
        var status = failure is null ? new ComponentStatus(true, "conversations can be written and read") : new ComponentStatus(false, failure);
        lock (_gate)
        {
            _last = status;
            _lastAt = now;
        }
        return status;
    }
}
