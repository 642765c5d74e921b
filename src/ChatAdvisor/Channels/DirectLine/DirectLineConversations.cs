using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Channels.DirectLine;

/// <summary>
/// The Direct Line conversations this process serves, in memory: the activity history each one replays by
/// watermark, and the WebSocket streams listening to it. Bounded by <see cref="DirectLineOptions.MaxConversations"/>
/// (least recently used idle conversation dropped first) and by an idle timeout. Thread-safe.
/// </summary>
public sealed class DirectLineConversations
{
    private readonly ConcurrentDictionary<string, DirectLineConversation> _conversations = new(StringComparer.Ordinal);
    private readonly DirectLineOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _sweepGate = new();
    private long _lastSweep;

    public DirectLineConversations(IOptions<DirectLineOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        _lastSweep = time.GetTimestamp();
    }

    /// <summary>How many conversations are held.</summary>
    public int Count => _conversations.Count;

    /// <summary>
    /// Returns the conversation <paramref name="id"/> of <paramref name="userId"/>, creating it when it does not exist
    /// (<paramref name="created"/> tells which). Null when it exists for another user.
    /// </summary>
    public DirectLineConversation? GetOrCreate(string id, string userId, out bool created)
    {
        created = false;
        if (Get(id) is { } existing)
            return existing.UserId == userId ? existing : null;

        MakeRoom();
        var fresh = new DirectLineConversation(id, userId, _options.MaxActivitiesPerConversation, _time);
        var stored = _conversations.GetOrAdd(id, fresh);
        created = ReferenceEquals(stored, fresh);
        return stored.UserId == userId ? stored : null;
    }

    /// <summary>The conversation <paramref name="id"/>, or null when it never existed or has ended (idle too long, evicted).</summary>
    public DirectLineConversation? Get(string id)
    {
        if (!_conversations.TryGetValue(id, out var conversation))
            return null;
        if (IsExpired(conversation))
        {
            _conversations.TryRemove(new KeyValuePair<string, DirectLineConversation>(id, conversation));
            return null;
        }
        return conversation;
    }

    private bool IsExpired(DirectLineConversation conversation)
        => !conversation.HasSubscribers
           && _time.GetElapsedTime(conversation.LastUsed) > TimeSpan.FromMinutes(_options.ConversationIdleMinutes);

    private void MakeRoom()
    {
        bool sweepDue = _time.GetElapsedTime(Interlocked.Read(ref _lastSweep)) > TimeSpan.FromMinutes(1);
        if (!sweepDue && _conversations.Count < _options.MaxConversations)
            return;

        lock (_sweepGate)
        {
            Interlocked.Exchange(ref _lastSweep, _time.GetTimestamp());
            foreach (var (id, conversation) in _conversations)
            {
                if (IsExpired(conversation))
                    _conversations.TryRemove(new KeyValuePair<string, DirectLineConversation>(id, conversation));
            }

            // Still full: drop the least recently used conversation that nobody is listening to (O(n), only at capacity).
            while (_conversations.Count >= _options.MaxConversations)
            {
                var oldest = _conversations.Values.Where(c => !c.HasSubscribers).MinBy(c => c.LastUsed)
                             ?? _conversations.Values.MinBy(c => c.LastUsed);
                if (oldest is null || !_conversations.TryRemove(new KeyValuePair<string, DirectLineConversation>(oldest.Id, oldest)))
                    break;
                oldest.End();
            }
        }
    }
}

/// <summary>
/// One Direct Line conversation: its activities in order, numbered by a sequence that doubles as the watermark, and
/// the streams listening to it. Appending and subscribing happen under one lock, so every stream sees every activity
/// once and in order. Thread-safe.
/// </summary>
public sealed class DirectLineConversation
{
    /// <summary>Frames a slow stream may fall behind before it is closed (the client reconnects and replays by watermark).</summary>
    private const int StreamBacklog = 256;

    private readonly Lock _gate = new();
    private readonly LinkedList<(long Sequence, string Json)> _history = new();
    private readonly List<Channel<string>> _subscribers = [];
    private readonly Dictionary<string, string> _idsByClientActivityId = new(StringComparer.Ordinal);
    private readonly Queue<string> _clientActivityIds = new();
    private readonly int _maxActivities;
    private readonly TimeProvider _time;
    private long _nextSequence;
    private DateTimeOffset _lastTimestamp = DateTimeOffset.MinValue;
    private long _lastUsed;
    private long _nextSignal;
    private bool _ended;
    private CancellationTokenSource? _stream;

    internal DirectLineConversation(string id, string userId, int maxActivities, TimeProvider time)
    {
        Id = id;
        UserId = userId;
        _maxActivities = maxActivities;
        _time = time;
        _lastUsed = time.GetTimestamp();
    }

    /// <summary>The Direct Line conversation id.</summary>
    public string Id { get; }

    /// <summary>The user the conversation belongs to.</summary>
    public string UserId { get; }

    internal long LastUsed => Interlocked.Read(ref _lastUsed);

    /// <summary>True while a WebSocket stream listens (only streams see typing and live-stream activities).</summary>
    public bool HasSubscribers
    {
        get { lock (_gate) return _subscribers.Count > 0; }
    }

    /// <summary>The current watermark (the sequence of the last activity), or null before the first one.</summary>
    public string? Watermark
    {
        get { lock (_gate) return _nextSequence == 0 ? null : Format(_nextSequence - 1); }
    }

    /// <summary>
    /// Stamps <paramref name="activity"/> with its id, a timestamp later than every earlier one (Web Chat orders by
    /// timestamp) and the conversation, keeps it for replay and pushes it to every open stream. Returns its id.
    /// </summary>
    public string Append(JsonObject activity)
    {
        Touch();
        lock (_gate)
        {
            long sequence = _nextSequence++;
            string id = Id + "|" + sequence.ToString("D7", CultureInfo.InvariantCulture);
            activity["id"] = id;
            activity["timestamp"] = NextTimestamp().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            activity["conversation"] = new JsonObject { ["id"] = Id };
            string json = activity.ToJsonString();

            _history.AddLast((sequence, json));
            while (_history.Count > _maxActivities)
                _history.RemoveFirst();

            Publish(ActivitySet([json], Format(sequence)));
            return id;
        }
    }

    /// <summary>
    /// Appends a user's activity once per <paramref name="clientActivityId"/> (Web Chat's <c>channelData.clientActivityID</c>):
    /// a client that lost the response to its post and posts the same activity again gets the id stored the first
    /// time (<paramref name="appended"/> false), so the question is echoed and answered once.
    /// </summary>
    public string AppendOnce(JsonObject activity, string? clientActivityId, out bool appended)
    {
        lock (_gate)
        {
            if (clientActivityId is not null && _idsByClientActivityId.TryGetValue(clientActivityId, out var existing))
            {
                appended = false;
                return existing;
            }
            var id = Append(activity);
            appended = true;
            if (clientActivityId is not null)
            {
                _idsByClientActivityId[clientActivityId] = id;
                _clientActivityIds.Enqueue(clientActivityId);
                while (_clientActivityIds.Count > _maxActivities)
                    _idsByClientActivityId.Remove(_clientActivityIds.Dequeue());
            }
            return id;
        }
    }

    /// <summary>
    /// Pushes a transient activity (typing, a live-stream update) to the open streams only: it is not kept and not
    /// polled. Returns the id it was given, which a live stream's later updates refer to.
    /// </summary>
    public string Signal(JsonObject activity)
    {
        lock (_gate)
        {
            string id = Id + "|t" + (_nextSignal++).ToString(CultureInfo.InvariantCulture);
            activity["id"] = id;
            activity["conversation"] = new JsonObject { ["id"] = Id };
            activity["timestamp"] = NextTimestamp().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            Publish(ActivitySet([activity.ToJsonString()], _nextSequence == 0 ? null : Format(_nextSequence - 1)));
            return id;
        }
    }

    /// <summary>The activities after <paramref name="watermark"/> (all of them for null or empty) as an ActivitySet JSON.</summary>
    public string GetActivitySet(string? watermark)
    {
        Touch();
        lock (_gate)
            return ActivitySet(Since(watermark), _nextSequence == 0 ? null : Format(_nextSequence - 1));
    }

    /// <summary>
    /// Opens a stream: its first frames replay the activities after <paramref name="watermark"/>, then every new one
    /// follows in order. Dispose the subscription to close it. The reader completes when the conversation ends or the
    /// stream falls too far behind.
    /// </summary>
    public DirectLineSubscription Subscribe(string? watermark)
    {
        Touch();
        lock (_gate)
        {
            // One activity per frame, replay included: DirectLineJS emits the activities of one frame on successive
            // timer ticks, so a frame arriving meanwhile would interleave with a multi-activity frame (a reply
            // overtaking its question's echo).
            var replay = SinceWithSequence(watermark);
            var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(StreamBacklog + replay.Count) { SingleReader = true, SingleWriter = false });
            foreach (var (sequence, json) in replay)
                channel.Writer.TryWrite(ActivitySet([json], Format(sequence)));
            if (_ended)
                channel.Writer.TryComplete();
            else
                _subscribers.Add(channel);
            return new DirectLineSubscription(this, channel);
        }
    }

    /// <summary>
    /// Makes the caller the conversation's one WebSocket stream. The stream attached before it is told to close (the
    /// protocol's collision) through the token it got. Returns the token cancelled when a newer stream attaches.
    /// </summary>
    internal CancellationToken AttachStream()
    {
        var mine = new CancellationTokenSource();
        CancellationTokenSource? older;
        lock (_gate)
        {
            older = _stream;
            _stream = mine;
        }
        older?.Cancel();
        return mine.Token;
    }

    internal void Unsubscribe(Channel<string> channel)
    {
        lock (_gate)
            _subscribers.Remove(channel);
        channel.Writer.TryComplete();
        Touch();
    }

    internal void End()
    {
        lock (_gate)
        {
            _ended = true;
            foreach (var subscriber in _subscribers)
                subscriber.Writer.TryComplete();
            _subscribers.Clear();
        }
    }

    private void Touch() => Interlocked.Exchange(ref _lastUsed, _time.GetTimestamp());

    private DateTimeOffset NextTimestamp()
    {
        // Millisecond resolution on the wire: each activity gets at least 1 ms more than the previous one.
        var now = _time.GetUtcNow();
        now = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        _lastTimestamp = now > _lastTimestamp ? now : _lastTimestamp.AddMilliseconds(1);
        return _lastTimestamp;
    }

    private List<string> Since(string? watermark) => SinceWithSequence(watermark).ConvertAll(a => a.Json);

    private List<(long Sequence, string Json)> SinceWithSequence(string? watermark)
    {
        long after = long.TryParse(watermark, NumberStyles.None, CultureInfo.InvariantCulture, out long w) ? w : -1;
        var result = new List<(long Sequence, string Json)>();
        foreach (var activity in _history)
        {
            if (activity.Sequence > after)
                result.Add(activity);
        }
        return result;
    }

    private void Publish(string frame)
    {
        for (int i = _subscribers.Count - 1; i >= 0; i--)
        {
            if (!_subscribers[i].Writer.TryWrite(frame))
            {
                _subscribers[i].Writer.TryComplete();
                _subscribers.RemoveAt(i);
            }
        }
    }

    private static string Format(long sequence) => sequence.ToString(CultureInfo.InvariantCulture);

    private static string ActivitySet(List<string> activities, string? watermark)
    {
        var builder = new StringBuilder("{\"activities\":[");
        for (int i = 0; i < activities.Count; i++)
        {
            if (i > 0)
                builder.Append(',');
            builder.Append(activities[i]);
        }
        builder.Append("],\"watermark\":");
        builder.Append(watermark is null ? "null" : "\"" + watermark + "\"");
        return builder.Append('}').ToString();
    }
}

/// <summary>An open stream on a conversation: read frames from <see cref="Reader"/>; dispose to stop listening.</summary>
public sealed class DirectLineSubscription(DirectLineConversation conversation, Channel<string> channel) : IDisposable
{
    /// <summary>ActivitySet frames, in order.</summary>
    public ChannelReader<string> Reader => channel.Reader;

    /// <inheritdoc />
    public void Dispose() => conversation.Unsubscribe(channel);
}
