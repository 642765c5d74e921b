using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace ChatAdvisor.Storage;

/// <summary>An activity as the log keeps it: its sequence number (the watermark) and its JSON, stamped.</summary>
public readonly record struct LoggedActivity(long Sequence, string Json);

/// <summary>Who a Direct Line conversation belongs to.</summary>
public sealed record DirectLineConversationInfo(string Id, string UserId);

/// <summary>
/// The record of Direct Line conversations: who owns each one and its activities in order, numbered by a sequence that
/// doubles as the watermark, so a client can replay from any watermark. In one process it is memory
/// (<see cref="InMemoryDirectLineLog"/>); with replicas it is the shared database (<see cref="PostgresDirectLineLog"/>),
/// and <see cref="Appended"/> and <see cref="Signalled"/> also report what other replicas wrote, so the replica that
/// holds a conversation's WebSocket can push it.
/// </summary>
public interface IDirectLineLog
{
    /// <summary>The conversation, or null when it does not exist (never created, expired).</summary>
    Task<DirectLineConversationInfo?> GetAsync(string conversationId, CancellationToken cancellationToken = default);

    /// <summary>Creates the conversation for <paramref name="userId"/> unless it exists; returns it and whether it was created.</summary>
    Task<(DirectLineConversationInfo Conversation, bool Created)> GetOrCreateAsync(string conversationId, string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stamps <paramref name="activity"/> with its id (<c>{conversation}|{sequence}</c>), a timestamp later than every
    /// earlier one of the conversation (Web Chat orders by timestamp) and the conversation, and keeps it. An activity
    /// whose <paramref name="clientActivityId"/> was logged before is not logged again: the earlier one is returned.
    /// </summary>
    Task<LoggedActivity> AppendAsync(string conversationId, JsonObject activity, string? clientActivityId = null, CancellationToken cancellationToken = default);

    /// <summary>The activities after sequence <paramref name="after"/> (-1 for all kept), in order.</summary>
    Task<IReadOnlyList<LoggedActivity>> ReadAsync(string conversationId, long after, CancellationToken cancellationToken = default);

    /// <summary>The sequence of the conversation's latest activity, or -1 before the first.</summary>
    Task<long> LatestAsync(string conversationId, CancellationToken cancellationToken = default);

    /// <summary>Sends a transient activity (typing, a streamed answer so far) to whoever holds the conversation's streams; it is not kept.</summary>
    Task SignalAsync(string conversationId, JsonObject activity, CancellationToken cancellationToken = default);

    /// <summary>Raised, on this replica, for every activity logged by any replica (the conversation id and the activity).</summary>
    event Action<string, LoggedActivity>? Appended;

    /// <summary>Raised, on this replica, for every transient activity signalled by any replica (the conversation id and its JSON).</summary>
    event Action<string, string>? Signalled;
}

/// <summary>What both logs do the same way.</summary>
internal static class DirectLineStamp
{
    /// <summary>The activity id for a sequence number.</summary>
    public static string ActivityId(string conversationId, long sequence) => conversationId + "|" + sequence.ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>The wire form of a timestamp (millisecond resolution).</summary>
    public static string Format(DateTimeOffset timestamp) => timestamp.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>A timestamp at least one millisecond after <paramref name="last"/> (in Unix milliseconds).</summary>
    public static long Next(TimeProvider time, long last) => Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), last + 1);

    /// <summary>Stamps an activity for the log.</summary>
    public static string Stamp(JsonObject activity, string conversationId, long sequence, long timestampMs)
    {
        activity["id"] = ActivityId(conversationId, sequence);
        activity["timestamp"] = Format(DateTimeOffset.FromUnixTimeMilliseconds(timestampMs));
        activity["conversation"] = new JsonObject { ["id"] = conversationId };
        return activity.ToJsonString();
    }

    /// <summary>Stamps a transient activity (not kept: no sequence).</summary>
    public static string StampTransient(JsonObject activity, string conversationId, TimeProvider time)
    {
        activity["conversation"] = new JsonObject { ["id"] = conversationId };
        activity["timestamp"] = Format(time.GetUtcNow());
        return activity.ToJsonString();
    }
}

/// <summary>
/// <see cref="IDirectLineLog"/> in the process: at most <c>maxActivities</c> activities kept per conversation. Expiring
/// and evicting conversations is the caller's (<see cref="Forget"/>). Thread-safe.
/// </summary>
public sealed class InMemoryDirectLineLog(TimeProvider time, int maxActivities) : IDirectLineLog
{
    private sealed class Conversation(DirectLineConversationInfo info)
    {
        public readonly DirectLineConversationInfo Info = info;
        public readonly Lock Gate = new();
        public readonly LinkedList<LoggedActivity> History = new();
        public readonly Dictionary<string, LoggedActivity> ByClientId = new(StringComparer.Ordinal);
        public long Next;
        public long LastTimestamp;
    }

    private readonly ConcurrentDictionary<string, Conversation> _conversations = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public event Action<string, LoggedActivity>? Appended;

    /// <inheritdoc />
    public event Action<string, string>? Signalled;

    /// <inheritdoc />
    public Task<DirectLineConversationInfo?> GetAsync(string conversationId, CancellationToken cancellationToken = default)
        => Task.FromResult(_conversations.TryGetValue(conversationId, out var c) ? c.Info : null);

    /// <inheritdoc />
    public Task<(DirectLineConversationInfo Conversation, bool Created)> GetOrCreateAsync(string conversationId, string userId, CancellationToken cancellationToken = default)
    {
        var fresh = new Conversation(new DirectLineConversationInfo(conversationId, userId));
        var stored = _conversations.GetOrAdd(conversationId, fresh);
        return Task.FromResult((stored.Info, ReferenceEquals(stored, fresh)));
    }

    /// <inheritdoc />
    public Task<LoggedActivity> AppendAsync(string conversationId, JsonObject activity, string? clientActivityId = null, CancellationToken cancellationToken = default)
    {
        var conversation = _conversations.TryGetValue(conversationId, out var c) ? c : throw new KeyNotFoundException($"No Direct Line conversation {conversationId}.");
        LoggedActivity logged;
        lock (conversation.Gate)
        {
            if (clientActivityId is not null && conversation.ByClientId.TryGetValue(clientActivityId, out var earlier))
                return Task.FromResult(earlier);
            conversation.LastTimestamp = DirectLineStamp.Next(time, conversation.LastTimestamp);
            long sequence = conversation.Next++;
            logged = new LoggedActivity(sequence, DirectLineStamp.Stamp(activity, conversationId, sequence, conversation.LastTimestamp));
            conversation.History.AddLast(logged);
            if (clientActivityId is not null)
                conversation.ByClientId[clientActivityId] = logged;
            while (conversation.History.Count > maxActivities)
                conversation.History.RemoveFirst();
            // Raised under the lock, so listeners see the activities of one conversation in order.
            Appended?.Invoke(conversationId, logged);
        }
        return Task.FromResult(logged);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LoggedActivity>> ReadAsync(string conversationId, long after, CancellationToken cancellationToken = default)
    {
        if (!_conversations.TryGetValue(conversationId, out var conversation))
            return Task.FromResult<IReadOnlyList<LoggedActivity>>([]);
        lock (conversation.Gate)
            return Task.FromResult<IReadOnlyList<LoggedActivity>>([.. conversation.History.Where(a => a.Sequence > after)]);
    }

    /// <inheritdoc />
    public Task<long> LatestAsync(string conversationId, CancellationToken cancellationToken = default)
    {
        if (!_conversations.TryGetValue(conversationId, out var conversation))
            return Task.FromResult(-1L);
        lock (conversation.Gate)
            return Task.FromResult(conversation.Next - 1);
    }

    /// <inheritdoc />
    public Task SignalAsync(string conversationId, JsonObject activity, CancellationToken cancellationToken = default)
    {
        Signalled?.Invoke(conversationId, DirectLineStamp.StampTransient(activity, conversationId, time));
        return Task.CompletedTask;
    }

    /// <summary>Drops a conversation (expired or evicted).</summary>
    public void Forget(string conversationId) => _conversations.TryRemove(conversationId, out _);
}
