using System.Collections.Concurrent;

namespace ChatAdvisor.Channels.Slack;

/// <summary>A set of keys that are forgotten after a time to live. Thread-safe.</summary>
internal sealed class ExpiringKeySet(TimeSpan timeToLive, TimeProvider timeProvider)
{
    private const int PruneEvery = 1024;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);
    private int _addsSincePrune;

    /// <summary>Adds <paramref name="key"/>; false when it is already present and not expired.</summary>
    public bool TryAdd(string key)
    {
        var now = timeProvider.GetUtcNow();
        PruneNow(now);
        while (true)
        {
            if (_expiries.TryAdd(key, now + timeToLive))
                return true;
            if (_expiries.TryGetValue(key, out var expiry))
            {
                if (expiry > now)
                    return false;
                // Expired: replace it, unless another thread renewed it first.
                if (_expiries.TryUpdate(key, now + timeToLive, expiry))
                    return true;
            }
        }
    }

    /// <summary>Adds <paramref name="key"/> or extends its life.</summary>
    public void Touch(string key)
    {
        var now = timeProvider.GetUtcNow();
        PruneNow(now);
        _expiries[key] = now + timeToLive;
    }

    /// <summary>True when <paramref name="key"/> is present and not expired.</summary>
    public bool Contains(string key)
        => _expiries.TryGetValue(key, out var expiry) && expiry > timeProvider.GetUtcNow();

    /// <summary>Forgets <paramref name="key"/>.</summary>
    public void Remove(string key) => _expiries.TryRemove(key, out _);

    private void PruneNow(DateTimeOffset now)
    {
        if (Interlocked.Increment(ref _addsSincePrune) % PruneEvery != 0)
            return;
        foreach (var (key, expiry) in _expiries)
        {
            if (expiry <= now)
                _expiries.TryRemove(KeyValuePair.Create(key, expiry));
        }
    }
}

/// <summary>
/// The deliveries already accepted, so Slack's retries and the two events one mention can raise (app_mention and
/// message) are answered once. Keys live for an hour: Slack's last retry comes about five minutes after the first try.
/// In memory, per process.
/// </summary>
public sealed class SlackDeliveries(TimeProvider timeProvider)
{
    private readonly ExpiringKeySet _keys = new(TimeSpan.FromHours(1), timeProvider);

    /// <summary>Claims every key (event id, message key); false, and nothing claimed, when any was claimed before.</summary>
    public bool TryClaim(params ReadOnlySpan<string> keys)
    {
        for (var i = 0; i < keys.Length; i++)
        {
            if (!_keys.TryAdd(keys[i]))
            {
                for (var j = 0; j < i; j++)
                    _keys.Remove(keys[j]);
                return false;
            }
        }
        return true;
    }

    /// <summary>Releases keys claimed for work that was then refused, so Slack's retry is accepted.</summary>
    public void Release(params ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
            _keys.Remove(key);
    }
}

/// <summary>
/// The channel threads the bot takes part in (it was mentioned there), so replies in them are answered without a
/// new mention. A thread is remembered for a week after its last question. In memory, per process.
/// </summary>
public sealed class SlackThreads(TimeProvider timeProvider)
{
    private readonly ExpiringKeySet _threads = new(TimeSpan.FromDays(7), timeProvider);

    /// <summary>Records that the bot answers in the thread <paramref name="threadTs"/>.</summary>
    public void Join(string team, string channel, string threadTs) => _threads.Touch(Key(team, channel, threadTs));

    /// <summary>True when the bot answers in that thread.</summary>
    public bool IsJoined(string team, string channel, string threadTs) => _threads.Contains(Key(team, channel, threadTs));

    private static string Key(string team, string channel, string threadTs) => $"{team}:{channel}:{threadTs}";
}
