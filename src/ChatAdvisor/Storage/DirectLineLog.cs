using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace ChatAdvisor.Storage;

/// <summary>An activity as the log keeps it: its sequence number (the watermark) and its JSON, stamped.</summary>
public readonly record struct LoggedActivity(long Sequence, string Json);

/// <summary>What <see cref="IDirectLineLog.AppendAsync"/> did: the activity as logged, and false when an earlier one stood in for it.</summary>
public readonly record struct LogAppend(LoggedActivity Activity, bool Appended);

/// <summary>Who a Direct Line conversation belongs to.</summary>
public sealed record DirectLineConversationInfo(string Id, string UserId);

/// <summary>A question logged and not answered yet, and whether the replica that took it has stopped renewing its lease.</summary>
public readonly record struct PendingTurn(long Sequence, bool Mine, bool Lapsed);

/// <summary>
/// The record of Direct Line conversations: who owns each one and its activities in order, numbered by a sequence that
/// doubles as the watermark, so a client can replay from any watermark. In one process it is memory
/// (<see cref="InMemoryDirectLineLog"/>); with replicas it is the shared database (<see cref="PostgresDirectLineLog"/>),
/// and <see cref="Appended"/> and <see cref="Signalled"/> also report what other replicas wrote, so the replica that
/// holds a conversation's WebSocket can push it.
/// </summary>
/// <remarks>
/// A question is logged as a pending turn, leased by the replica that logged it until its reply is logged. A replica
/// that dies stops renewing its leases; another one claims the lapsed turns and answers them, so no question is lost.
/// A reply names its question (<c>replyToId</c>) and each question gets one reply, so none is answered twice.
/// </remarks>
public interface IDirectLineLog
{
    /// <summary>True when other replicas share this log (pending turns can then outlive the replica that took them).</summary>
    bool IsShared { get; }

    /// <summary>The conversation, or null when it does not exist (never created, expired).</summary>
    Task<DirectLineConversationInfo?> GetAsync(string conversationId, CancellationToken cancellationToken = default);

    /// <summary>Creates the conversation for <paramref name="userId"/> unless it exists; returns it and whether it was created.</summary>
    Task<(DirectLineConversationInfo Conversation, bool Created)> GetOrCreateAsync(string conversationId, string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stamps <paramref name="activity"/> with its id (<c>{conversation}|{sequence}</c>), a timestamp later than every
    /// earlier one of the conversation (Web Chat orders by timestamp) and the conversation, and keeps it. Not logged
    /// again, the earlier one returned instead: an activity whose <paramref name="clientActivityId"/> was logged before,
    /// and a second reply to the same question (<c>replyToId</c>). Logging a reply ends its question's pending turn;
    /// <paramref name="awaitsReply"/> makes the activity a pending turn leased by this replica.
    /// </summary>
    Task<LogAppend> AppendAsync(string conversationId, JsonObject activity, string? clientActivityId = null, bool awaitsReply = false, CancellationToken cancellationToken = default);

    /// <summary>The activities after sequence <paramref name="after"/> (-1 for all kept), in order.</summary>
    Task<IReadOnlyList<LoggedActivity>> ReadAsync(string conversationId, long after, CancellationToken cancellationToken = default);

    /// <summary>Sends a transient activity (typing, a streamed answer so far) to whoever holds the conversation's streams; it is not kept.</summary>
    Task SignalAsync(string conversationId, JsonObject activity, CancellationToken cancellationToken = default);

    /// <summary>The conversation's pending turns up to and including <paramref name="sequence"/>, in order.</summary>
    Task<IReadOnlyList<PendingTurn>> PendingAsync(string conversationId, long sequence, CancellationToken cancellationToken = default);

    /// <summary>Takes the pending turn <paramref name="sequence"/> when it is this replica's or its lease lapsed; false when it is answered or another live replica holds it.</summary>
    Task<bool> ClaimAsync(string conversationId, long sequence, CancellationToken cancellationToken = default);

    /// <summary>Takes up to <paramref name="max"/> pending turns whose lease lapsed, in any conversation.</summary>
    Task<IReadOnlyList<(string ConversationId, long Sequence)>> ClaimLapsedAsync(int max, CancellationToken cancellationToken = default);

    /// <summary>Extends the leases of this replica's pending turns.</summary>
    Task RenewAsync(CancellationToken cancellationToken = default);

    /// <summary>Gives up this replica's lease on a pending turn that ended without a reply, so it is taken again.</summary>
    Task ReleaseAsync(string conversationId, long sequence, CancellationToken cancellationToken = default);

    /// <summary>Deletes conversations idle since before <paramref name="cutoff"/> with their activities. Returns how many.</summary>
    Task<int> ForgetIdleAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);

    /// <summary>Raised, on this replica, for every activity logged by any replica (the conversation id and the activity's sequence).</summary>
    event Action<string, long>? Appended;

    /// <summary>Raised, on this replica, for every transient activity signalled by any replica (the conversation id and its JSON).</summary>
    event Action<string, string>? Signalled;

    /// <summary>Raised when reports from other replicas may have been missed: streams read the log again from their watermark.</summary>
    event Action? Resynced;
}

/// <summary>What both logs do the same way.</summary>
internal static class DirectLineStamp
{
    /// <summary>The activity id for a sequence number.</summary>
    public static string ActivityId(string conversationId, long sequence) => conversationId + "|" + sequence.ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>The sequence of the question a reply names (its <c>replyToId</c> in this conversation), or null.</summary>
    public static long? RepliesTo(JsonObject activity, string conversationId)
    {
        if (activity["replyToId"] is not JsonValue value || !value.TryGetValue(out string? replyTo))
            return null;
        return replyTo.Length > conversationId.Length + 1 && replyTo.StartsWith(conversationId + "|", StringComparison.Ordinal)
               && long.TryParse(replyTo.AsSpan(conversationId.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long sequence)
            ? sequence
            : null;
    }

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
/// <see cref="IDirectLineLog"/> in the process: at most <c>maxActivities</c> activities kept per conversation and at
/// most <c>maxConversations</c> conversations (the least recently used dropped first). Every call on a conversation
/// counts as use. Nobody else answers its pending turns, so they never lapse. Thread-safe.
/// </summary>
public sealed class InMemoryDirectLineLog(TimeProvider time, int maxActivities, int maxConversations = int.MaxValue) : IDirectLineLog
{
    private sealed class Conversation(DirectLineConversationInfo info, long now)
    {
        public readonly DirectLineConversationInfo Info = info;
        public readonly Lock Gate = new();
        public readonly LinkedList<LoggedActivity> History = new();
        public readonly Dictionary<string, LoggedActivity> ByClientId = new(StringComparer.Ordinal);
        public readonly Dictionary<long, LoggedActivity> Replies = [];
        public readonly SortedSet<long> Pending = [];
        public long Next;
        public long LastTimestamp;
        public long LastUsed = now;
    }

    private readonly ConcurrentDictionary<string, Conversation> _conversations = new(StringComparer.Ordinal);
    private readonly Lock _capacityGate = new();

    /// <inheritdoc />
    public bool IsShared => false;

    /// <inheritdoc />
    public event Action<string, long>? Appended;

    /// <inheritdoc />
    public event Action<string, string>? Signalled;

    /// <inheritdoc />
    public event Action? Resynced { add { } remove { } }

    /// <summary>How many conversations are kept.</summary>
    public int Count => _conversations.Count;

    /// <inheritdoc />
    public Task<DirectLineConversationInfo?> GetAsync(string conversationId, CancellationToken cancellationToken = default)
        => Task.FromResult(Find(conversationId)?.Info);

    /// <inheritdoc />
    public Task<(DirectLineConversationInfo Conversation, bool Created)> GetOrCreateAsync(string conversationId, string userId, CancellationToken cancellationToken = default)
    {
        if (Find(conversationId) is { } existing)
            return Task.FromResult((existing.Info, false));
        lock (_capacityGate)
        {
            // At capacity: drop the least recently used (O(n), only when full).
            while (_conversations.Count >= maxConversations && _conversations.Values.MinBy(c => Volatile.Read(ref c.LastUsed)) is { } oldest)
                _conversations.TryRemove(new KeyValuePair<string, Conversation>(oldest.Info.Id, oldest));
            var fresh = new Conversation(new DirectLineConversationInfo(conversationId, userId), time.GetUtcNow().ToUnixTimeMilliseconds());
            var stored = _conversations.GetOrAdd(conversationId, fresh);
            return Task.FromResult((stored.Info, ReferenceEquals(stored, fresh)));
        }
    }

    /// <inheritdoc />
    public Task<LogAppend> AppendAsync(string conversationId, JsonObject activity, string? clientActivityId = null, bool awaitsReply = false, CancellationToken cancellationToken = default)
    {
        var conversation = Find(conversationId) ?? throw new KeyNotFoundException($"No Direct Line conversation {conversationId}.");
        long? question = DirectLineStamp.RepliesTo(activity, conversationId);
        lock (conversation.Gate)
        {
            if (clientActivityId is not null && conversation.ByClientId.TryGetValue(clientActivityId, out var earlier))
                return Task.FromResult(new LogAppend(earlier, false));
            if (question is { } asked && conversation.Replies.TryGetValue(asked, out var answered))
                return Task.FromResult(new LogAppend(answered, false));
            conversation.LastTimestamp = DirectLineStamp.Next(time, conversation.LastTimestamp);
            long sequence = conversation.Next++;
            var logged = new LoggedActivity(sequence, DirectLineStamp.Stamp(activity, conversationId, sequence, conversation.LastTimestamp));
            conversation.History.AddLast(logged);
            if (clientActivityId is not null)
                conversation.ByClientId[clientActivityId] = logged;
            if (question is { } replied)
            {
                conversation.Replies[replied] = logged;
                conversation.Pending.Remove(replied);
            }
            if (awaitsReply)
                conversation.Pending.Add(sequence);
            while (conversation.History.Count > maxActivities)
            {
                long dropped = conversation.History.First!.Value.Sequence;
                conversation.History.RemoveFirst();
                conversation.Replies.Remove(dropped);
            }
            // Raised under the lock, so listeners hear of one conversation's activities in order.
            Appended?.Invoke(conversationId, sequence);
            return Task.FromResult(new LogAppend(logged, true));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LoggedActivity>> ReadAsync(string conversationId, long after, CancellationToken cancellationToken = default)
    {
        if (Find(conversationId) is not { } conversation)
            return Task.FromResult<IReadOnlyList<LoggedActivity>>([]);
        lock (conversation.Gate)
            return Task.FromResult<IReadOnlyList<LoggedActivity>>([.. conversation.History.Where(a => a.Sequence > after)]);
    }

    /// <inheritdoc />
    public Task SignalAsync(string conversationId, JsonObject activity, CancellationToken cancellationToken = default)
    {
        Signalled?.Invoke(conversationId, DirectLineStamp.StampTransient(activity, conversationId, time));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PendingTurn>> PendingAsync(string conversationId, long sequence, CancellationToken cancellationToken = default)
    {
        if (Find(conversationId) is not { } conversation)
            return Task.FromResult<IReadOnlyList<PendingTurn>>([]);
        lock (conversation.Gate)
            return Task.FromResult<IReadOnlyList<PendingTurn>>([.. conversation.Pending.Where(s => s <= sequence).Select(s => new PendingTurn(s, Mine: true, Lapsed: false))]);
    }

    /// <inheritdoc />
    public Task<bool> ClaimAsync(string conversationId, long sequence, CancellationToken cancellationToken = default)
    {
        if (Find(conversationId) is not { } conversation)
            return Task.FromResult(false);
        lock (conversation.Gate)
            return Task.FromResult(conversation.Pending.Contains(sequence));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<(string ConversationId, long Sequence)>> ClaimLapsedAsync(int max, CancellationToken cancellationToken = default)
        => Task.FromResult<IReadOnlyList<(string, long)>>([]);

    /// <inheritdoc />
    public Task RenewAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc />
    public Task ReleaseAsync(string conversationId, long sequence, CancellationToken cancellationToken = default)
    {
        // One process: the turn is not taken again; it stays unanswered, as it would have before logs were shared.
        if (Find(conversationId) is { } conversation)
        {
            lock (conversation.Gate)
                conversation.Pending.Remove(sequence);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<int> ForgetIdleAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        long before = cutoff.ToUnixTimeMilliseconds();
        int forgotten = 0;
        foreach (var (id, conversation) in _conversations)
        {
            if (Volatile.Read(ref conversation.LastUsed) < before && _conversations.TryRemove(new KeyValuePair<string, Conversation>(id, conversation)))
                forgotten++;
        }
        return Task.FromResult(forgotten);
    }

    private Conversation? Find(string conversationId)
    {
        if (!_conversations.TryGetValue(conversationId, out var conversation))
            return null;
        Volatile.Write(ref conversation.LastUsed, time.GetUtcNow().ToUnixTimeMilliseconds());
        return conversation;
    }
}
