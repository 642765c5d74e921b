using ChatAdvisor.Channels;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Tests.Channels;

/// <summary>The one work queue behind every channel: order within a conversation, its limits, and the drain on shutdown.</summary>
public sealed class TurnQueueTests
{
    private static TurnQueue Create(int lanes = 2, int capacity = 100, int perConversation = 10)
        => new(Options.Create(new ChannelsOptions { MaxConcurrentTurns = lanes, QueueCapacity = capacity, MaxPendingPerConversation = perConversation }),
            NullLogger<TurnQueue>.Instance);

    [Fact]
    public async Task TryEnqueue_OneConversation_TurnsRunOneAtATimeInArrivalOrder()
    {
        using var queue = Create(lanes: 4);
        await queue.StartAsync(CancellationToken.None);
        var order = new List<int>();
        int running = 0, overlap = 0;
        for (int i = 0; i < 8; i++)
        {
            int n = i;
            Assert.Equal(TurnQueueRefusal.None, queue.TryEnqueue("webchat:c1", "t" + n, async _ =>
            {
                if (Interlocked.Increment(ref running) > 1)
                    Interlocked.Increment(ref overlap);
                await Task.Delay(5);
                lock (order)
                    order.Add(n);
                Interlocked.Decrement(ref running);
            }));
        }

        await queue.StopAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 8), order);
        Assert.Equal(0, overlap);
    }

    [Fact]
    public async Task TryEnqueue_OverTheLimits_RefusedWithTheReason()
    {
        using var queue = Create(capacity: 3, perConversation: 2);
        var gate = new TaskCompletionSource();
        Func<CancellationToken, Task> wait = _ => gate.Task;

        Assert.Equal(TurnQueueRefusal.None, queue.TryEnqueue("a", "1", wait));
        Assert.Equal(TurnQueueRefusal.None, queue.TryEnqueue("a", "2", wait));
        Assert.True(queue.IsBusy("a"));
        Assert.Equal(TurnQueueRefusal.ConversationBusy, queue.TryEnqueue("a", "3", wait));
        Assert.Equal(TurnQueueRefusal.None, queue.TryEnqueue("b", "4", wait));
        Assert.Equal(TurnQueueRefusal.Full, queue.TryEnqueue("c", "5", wait));

        await queue.StartAsync(CancellationToken.None);
        gate.SetResult();
        await queue.StopAsync(CancellationToken.None);
        Assert.Equal(0, queue.Pending);
        Assert.False(queue.IsBusy("a"));
        Assert.Equal(TurnQueueRefusal.Stopping, queue.TryEnqueue("a", "6", wait));
    }

    [Fact]
    public async Task StopAsync_ShutdownTimeout_CancelsTheTurnInProgress()
    {
        using var queue = Create();
        await queue.StartAsync(CancellationToken.None);
        var started = new TaskCompletionSource();
        var cancelled = new TaskCompletionSource();
        queue.TryEnqueue("a", "slow", async stopping =>
        {
            await using var registration = stopping.Register(() => cancelled.TrySetResult());
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, stopping);
        });
        // In progress before the shutdown begins (on a loaded machine the lane may not have picked it up yet).
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await queue.StopAsync(shutdown.Token);

        Assert.True(cancelled.Task.IsCompleted, "the turn was told to stop");
        Assert.Equal(0, queue.Pending);
    }

    [Theory]
    [InlineData("Channels:MaxConcurrentTurns", "0")]
    [InlineData("Channels:QueueCapacity", "0")]
    [InlineData("Channels:MaxPendingPerConversation", "500")]
    public async Task Start_BrokenQueueSetting_FailsNamingTheSetting(string key, string value)
    {
        await using var app = new AppFactory(new Dictionary<string, string?> { [key] = value });

        var failure = Assert.ThrowsAny<Exception>(() => app.Client);

        Assert.Contains(key, failure.ToString(), StringComparison.Ordinal);
    }
}
