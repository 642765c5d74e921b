using System.Collections.Concurrent;

namespace ChatAdvisor.Channels.BotFramework;

/// <summary>
/// Short-lived memory of what the bot has seen and sent, in process:
/// inbound activity ids already taken (the channel re-posts an activity when the bot is slow, so each one must be
/// answered once) and the answer behind each reply the channel acknowledged (Teams rates a reply by its activity
/// id). Entries expire after <see cref="Retention"/>; the maps are bounded. Thread-safe.
/// </summary>
public sealed class RecentActivities(TimeProvider timeProvider)
{
    /// <summary>How long ids are remembered.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    private const int MaxEntries = 50_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string AnswerId, DateTimeOffset At)> _answers = new(StringComparer.Ordinal);

    /// <summary>Claims the inbound activity; false when it was claimed before (a re-delivery).</summary>
    public bool TryClaim(Activity activity)
    {
        if (string.IsNullOrEmpty(activity.Id))
            return true;
        var now = timeProvider.GetUtcNow();
        Prune(_seen, now, at => at);
        var key = Key(activity.ChannelId, activity.Conversation?.Id, activity.Id);
        if (_seen.TryAdd(key, now))
            return true;
        // An entry past its retention counts as new.
        if (_seen.TryGetValue(key, out var at) && now - at > Retention && _seen.TryUpdate(key, now, at))
            return true;
        return false;
    }

    /// <summary>Gives a claim back, so the channel's retry is processed (used when the bot could not take the work).</summary>
    public void Release(Activity activity)
    {
        if (!string.IsNullOrEmpty(activity.Id))
            _seen.TryRemove(Key(activity.ChannelId, activity.Conversation?.Id, activity.Id), out _);
    }

    /// <summary>Remembers that the channel's activity <paramref name="replyActivityId"/> carries answer <paramref name="answerId"/>.</summary>
    public void RecordAnswer(Activity inbound, string replyActivityId, string answerId)
    {
        var now = timeProvider.GetUtcNow();
        Prune(_answers, now, v => v.At);
        _answers[Key(inbound.ChannelId, inbound.Conversation?.Id, replyActivityId)] = (answerId, now);
    }

    /// <summary>The answer id behind the reply an invoke refers to (its replyToId), or null.</summary>
    public string? FindAnswer(Activity invoke)
    {
        if (string.IsNullOrEmpty(invoke.ReplyToId))
            return null;
        return _answers.TryGetValue(Key(invoke.ChannelId, invoke.Conversation?.Id, invoke.ReplyToId), out var entry)
               && timeProvider.GetUtcNow() - entry.At <= Retention
            ? entry.AnswerId
            : null;
    }

    private static string Key(string? channelId, string? conversationId, string id) => $"{channelId}\n{conversationId}\n{id}";

    private static void Prune<T>(ConcurrentDictionary<string, T> map, DateTimeOffset now, Func<T, DateTimeOffset> at)
    {
        if (map.Count < MaxEntries)
            return;
        foreach (var (key, value) in map)
        {
            if (now - at(value) > Retention)
                map.TryRemove(key, out _);
        }
        // Still full of live entries: drop the oldest half rather than grow without bound.
        if (map.Count >= MaxEntries)
        {
            foreach (var key in map.OrderBy(e => at(e.Value)).Take(map.Count / 2).Select(e => e.Key).ToList())
                map.TryRemove(key, out _);
        }
    }
}
