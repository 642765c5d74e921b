using System.Collections.Concurrent;
using System.Globalization;

namespace ChatAdvisor.Storage;

/// <summary>
/// The short-lived memory the channels keep: deliveries already taken (Teams re-posts an activity when the bot is slow,
/// Slack retries an event), the answer behind a reply the channel acknowledged, the threads the bot has joined, and
/// request counters. Every entry lives in a <c>scope</c> (what it is for) under a key, and expires after its time to
/// live. In one process it is memory (<see cref="InMemoryChannelMemory"/>); with several replicas it is the shared
/// database (<see cref="PostgresChannelMemory"/>), so a retry that reaches another replica is still recognised.
/// </summary>
public interface IChannelMemory
{
    /// <summary>Takes <paramref name="key"/> for <paramref name="timeToLive"/>; false when it is taken and not expired (a re-delivery).</summary>
    Task<bool> TryClaimAsync(string scope, string key, TimeSpan timeToLive, CancellationToken cancellationToken = default);

    /// <summary>Forgets <paramref name="key"/>, so the channel's retry of a delivery the bot could not take is processed.</summary>
    Task ReleaseAsync(string scope, string key, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> (replacing what was there) for <paramref name="timeToLive"/>.</summary>
    Task SetAsync(string scope, string key, string value, TimeSpan timeToLive, CancellationToken cancellationToken = default);

    /// <summary>The value under <paramref name="key"/>, or null when there is none or it expired.</summary>
    Task<string?> GetAsync(string scope, string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds one to the counter under <paramref name="key"/> and returns the new count; a counter that expired (it lives
    /// <paramref name="timeToLive"/> from its first count) starts again at 1. Used for fixed-window rate limits.
    /// </summary>
    Task<long> IncrementAsync(string scope, string key, TimeSpan timeToLive, CancellationToken cancellationToken = default);
}

/// <summary>
/// <see cref="IChannelMemory"/> in the process: bounded (past <see cref="MaxEntries"/> expired entries are pruned, then
/// the oldest half if all are live) and thread-safe.
/// </summary>
public sealed class InMemoryChannelMemory(TimeProvider time) : IChannelMemory
{
    /// <summary>The most entries kept before pruning.</summary>
    public const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<(string Scope, string Key), Entry> _entries = new();
    private readonly Lock _gate = new();

    private sealed record Entry(string Value, DateTimeOffset Expires);

    /// <inheritdoc />
    public Task<bool> TryClaimAsync(string scope, string key, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        Prune(now);
        var fresh = new Entry("", now + timeToLive);
        while (true)
        {
            if (_entries.TryAdd((scope, key), fresh))
                return Task.FromResult(true);
            if (_entries.TryGetValue((scope, key), out var existing))
            {
                if (existing.Expires > now)
                    return Task.FromResult(false);
                if (_entries.TryUpdate((scope, key), fresh, existing))
                    return Task.FromResult(true);
            }
        }
    }

    /// <inheritdoc />
    public Task ReleaseAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        _entries.TryRemove((scope, key), out _);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SetAsync(string scope, string key, string value, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        Prune(now);
        _entries[(scope, key)] = new Entry(value, now + timeToLive);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<string?> GetAsync(string scope, string key, CancellationToken cancellationToken = default)
        => Task.FromResult(_entries.TryGetValue((scope, key), out var entry) && entry.Expires > time.GetUtcNow() ? entry.Value : null);

    /// <inheritdoc />
    public Task<long> IncrementAsync(string scope, string key, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        Prune(now);
        var entry = _entries.AddOrUpdate((scope, key),
            _ => new Entry("1", now + timeToLive),
            (_, existing) => existing.Expires <= now
                ? new Entry("1", now + timeToLive)
                : existing with { Value = (long.Parse(existing.Value, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture) });
        return Task.FromResult(long.Parse(entry.Value, CultureInfo.InvariantCulture));
    }

    private void Prune(DateTimeOffset now)
    {
        if (_entries.Count < MaxEntries)
            return;
        lock (_gate)
        {
            if (_entries.Count < MaxEntries)
                return;
            foreach (var (key, entry) in _entries)
            {
                if (entry.Expires <= now)
                    _entries.TryRemove(KeyValuePair.Create(key, entry));
            }
            if (_entries.Count >= MaxEntries / 2)
            {
                foreach (var key in _entries.OrderBy(e => e.Value.Expires).Take(_entries.Count / 2).Select(e => e.Key).ToList())
                    _entries.TryRemove(key, out _);
            }
        }
    }
}
