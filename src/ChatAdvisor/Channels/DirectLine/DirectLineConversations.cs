using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Storage;

namespace ChatAdvisor.Channels.DirectLine;

/// <summary>
/// The Direct Line conversations as this replica serves them. The log (<see cref="IDirectLineLog"/>) is the truth: who
/// owns each conversation and its activities in order. This class holds the WebSocket streams open on this replica and
/// feeds each one from the log, from its own watermark on: when the log reports a new activity (logged here or by
/// another replica), after a missed report, and at every heartbeat. Every stream sees every activity once and in order,
/// whichever replica logged it. Thread-safe.
/// </summary>
public sealed class DirectLineConversations
{
    private readonly ConcurrentDictionary<string, Streams> _streams = new(StringComparer.Ordinal);
    private readonly string _signalPrefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private long _signals;

    /// <summary>Feeds this replica's streams from <paramref name="log"/>.</summary>
    public DirectLineConversations(IDirectLineLog log)
    {
        Log = log;
        log.Appended += OnAppended;
        log.Signalled += OnSignalled;
        log.Resynced += OnResynced;
    }

    /// <summary>The log the conversations live in.</summary>
    public IDirectLineLog Log { get; }

    /// <summary>
    /// True when someone may be listening to <paramref name="conversationId"/>'s stream, so live updates are worth
    /// sending: a stream open here, or, with a shared log, possibly on another replica.
    /// </summary>
    public bool CanStream(string conversationId) => Log.IsShared || _streams.ContainsKey(conversationId);

    /// <summary>Logs a bot's activity and returns its id.</summary>
    public async Task<string> AppendAsync(string conversationId, JsonObject activity, CancellationToken cancellationToken = default)
        => Id(conversationId, (await Log.AppendAsync(conversationId, activity, cancellationToken: cancellationToken)).Activity);

    /// <summary>
    /// Pushes a transient activity (typing, a live-stream update) to the open streams only, on whichever replica holds
    /// them: it is not kept and not polled. Returns the id it was given, which a live stream's later updates refer to.
    /// </summary>
    public async Task<string> SignalAsync(string conversationId, JsonObject activity, CancellationToken cancellationToken = default)
    {
        // Unique across replicas: a client drops an activity whose id it has seen.
        string id = conversationId + "|t" + _signalPrefix + Interlocked.Increment(ref _signals).ToString(CultureInfo.InvariantCulture);
        activity["id"] = id;
        await Log.SignalAsync(conversationId, activity, cancellationToken);
        return id;
    }

    /// <summary>The activities after <paramref name="watermark"/> (all of them for null or empty) as an ActivitySet JSON.</summary>
    public async Task<string> GetActivitySetAsync(string conversationId, string? watermark, CancellationToken cancellationToken = default)
    {
        long after = After(watermark);
        var activities = await Log.ReadAsync(conversationId, after, cancellationToken);
        // Nothing new: the client is caught up, and its own watermark is the latest (a poll costs one read).
        return ActivitySet([.. activities.Select(a => a.Json)], activities.Count > 0 ? activities[^1].Sequence : after);
    }

    /// <summary>
    /// Opens a stream on <paramref name="conversationId"/>: its first frames replay the activities after
    /// <paramref name="watermark"/>, then every new one follows in order. It becomes the conversation's one stream on
    /// this replica: the one attached before it is told to close (the protocol's collision). Dispose it to close.
    /// </summary>
    public DirectLineSubscription Subscribe(string conversationId, string? watermark)
    {
        DirectLineSubscription subscription;
        while (true)
        {
            var streams = _streams.GetOrAdd(conversationId, id => new Streams(id));
            subscription = new DirectLineSubscription(this, streams, After(watermark));
            if (streams.TryAdd(subscription))
                break;
            // That set was just emptied and removed: take a fresh one.
        }
        subscription.Wake();
        return subscription;
    }

    internal void Unsubscribe(Streams streams, DirectLineSubscription subscription)
    {
        if (streams.Remove(subscription))
            _streams.TryRemove(new KeyValuePair<string, Streams>(streams.ConversationId, streams));
    }

    private void OnAppended(string conversationId, long sequence)
    {
        if (_streams.TryGetValue(conversationId, out var streams))
            streams.Wake(sequence);
    }

    private void OnSignalled(string conversationId, string json)
    {
        if (_streams.TryGetValue(conversationId, out var streams))
            streams.Push(json);
    }

    private void OnResynced()
    {
        foreach (var streams in _streams.Values)
            streams.Wake(long.MaxValue);
    }

    private static long After(string? watermark)
        => long.TryParse(watermark, NumberStyles.None, CultureInfo.InvariantCulture, out long w) ? w : -1;

    private static string Id(string conversationId, LoggedActivity activity) => DirectLineStamp.ActivityId(conversationId, activity.Sequence);

    /// <summary>An ActivitySet: the activities and the watermark (null before the first activity).</summary>
    internal static string ActivitySet(IReadOnlyList<string> activities, long watermark)
    {
        var builder = new StringBuilder("{\"activities\":[");
        for (int i = 0; i < activities.Count; i++)
        {
            if (i > 0)
                builder.Append(',');
            builder.Append(activities[i]);
        }
        builder.Append("],\"watermark\":");
        builder.Append(watermark < 0 ? "null" : "\"" + watermark.ToString(CultureInfo.InvariantCulture) + "\"");
        return builder.Append('}').ToString();
    }

    /// <summary>The streams open on one conversation on this replica.</summary>
    internal sealed class Streams(string conversationId)
    {
        private readonly Lock _gate = new();
        private readonly List<DirectLineSubscription> _open = [];
        private CancellationTokenSource? _newest;
        private bool _removed;

        public string ConversationId { get; } = conversationId;

        /// <summary>Adds a stream and makes it the one that counts: the stream attached before is cancelled. False when this set is gone.</summary>
        public bool TryAdd(DirectLineSubscription subscription)
        {
            CancellationTokenSource? older;
            lock (_gate)
            {
                if (_removed)
                    return false;
                _open.Add(subscription);
                older = _newest;
                _newest = subscription.CollisionSource;
            }
            older?.Cancel();
            return true;
        }

        /// <summary>Removes a stream; true when it was the last (the set is then gone).</summary>
        public bool Remove(DirectLineSubscription subscription)
        {
            lock (_gate)
            {
                _open.Remove(subscription);
                _removed = _open.Count == 0;
                return _removed;
            }
        }

        public void Wake(long sequence)
        {
            foreach (var subscription in Snapshot())
                subscription.Wake(sequence);
        }

        public void Push(string json)
        {
            foreach (var subscription in Snapshot())
                subscription.Push(json);
        }

        private DirectLineSubscription[] Snapshot()
        {
            lock (_gate)
                return [.. _open];
        }
    }
}

/// <summary>
/// An open stream on a conversation: ActivitySet frames to read from <see cref="Reader"/>, one activity per frame;
/// dispose to stop listening. <see cref="Collision"/> is cancelled when a newer stream attaches to the conversation.
/// </summary>
public sealed class DirectLineSubscription : IDisposable
{
    /// <summary>Frames a slow reader may fall behind before the log is read more slowly (transient frames are then dropped).</summary>
    private const int StreamBacklog = 256;

    private readonly DirectLineConversations _owner;
    private readonly DirectLineConversations.Streams _streams;
    private readonly Channel<string> _frames = Channel.CreateBounded<string>(new BoundedChannelOptions(StreamBacklog) { SingleReader = true });
    private readonly CancellationTokenSource _closed = new();
    private long _sent;
    private int _state; // 0 idle, 1 reading the log, 2 reading and asked to read again

    internal DirectLineSubscription(DirectLineConversations owner, DirectLineConversations.Streams streams, long after)
    {
        _owner = owner;
        _streams = streams;
        _sent = after;
    }

    /// <summary>ActivitySet frames, in order.</summary>
    public ChannelReader<string> Reader => _frames.Reader;

    /// <summary>Cancelled when a newer stream attaches to the same conversation on this replica.</summary>
    public CancellationToken Collision => CollisionSource.Token;

    internal CancellationTokenSource CollisionSource { get; } = new();

    /// <summary>Reads the log from this stream's watermark (the heartbeat's poll, in case a report was missed).</summary>
    public void Wake() => Wake(long.MaxValue);

    internal void Wake(long sequence)
    {
        if (sequence <= Interlocked.Read(ref _sent))
            return;
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state == 2)
                return;
            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state)
            {
                if (state == 0)
                    _ = CatchUpAsync();
                return;
            }
        }
    }

    internal void Push(string json)
    {
        long sent = Interlocked.Read(ref _sent);
        // Transient: a reader too far behind simply does not get it.
        _frames.Writer.TryWrite(DirectLineConversations.ActivitySet([json], sent));
    }

    private async Task CatchUpAsync()
    {
        while (true)
        {
            try
            {
                foreach (var activity in await _owner.Log.ReadAsync(_streams.ConversationId, Interlocked.Read(ref _sent), _closed.Token))
                {
                    // One activity per frame: DirectLineJS emits the activities of one frame on successive timer
                    // ticks, so a frame arriving meanwhile would interleave with a multi-activity frame.
                    await _frames.Writer.WriteAsync(DirectLineConversations.ActivitySet([activity.Json], activity.Sequence), _closed.Token);
                    Interlocked.Exchange(ref _sent, activity.Sequence);
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or ChannelClosedException)
            {
                return;
            }
            catch (StorageUnavailableException)
            {
                // The next report or heartbeat reads again from the same watermark.
            }
            if (Interlocked.CompareExchange(ref _state, 0, 1) == 1)
                return;
            Volatile.Write(ref _state, 1);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _owner.Unsubscribe(_streams, this);
        _closed.Cancel();
        _frames.Writer.TryComplete();
    }
}
