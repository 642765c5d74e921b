using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using StackExchange.Redis;

// How fast does the replica holding a Web Chat stream hear that another replica logged an activity? Both transports
// log the activity in PostgreSQL first (the log is the truth, and a reconnecting client replays from it):
//   notify: the row and pg_notify in one transaction; the notification goes out at commit.
//   redis:  the row in a transaction; after the commit, PUBLISH on Redis.
// The time measured is the publisher's whole write plus the delivery: from just before the transaction to the moment
// the listener has the wake-up. Medians over the runs; the transports alternate within each run.

var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: ChatAdvisor.FanOutBenchmark --postgres <connection string> --redis <host:port> [--messages 2000] [--runs 5] [--payload 2000]");
    return 2;
}

await using var dataSource = NpgsqlDataSource.Create(options.Postgres);
await using (var setup = await dataSource.OpenConnectionAsync())
{
    await using var create = new NpgsqlCommand("DROP TABLE IF EXISTS fanout_log; CREATE TABLE fanout_log (seq bigint PRIMARY KEY, json text NOT NULL)", setup);
    await create.ExecuteNonQueryAsync();
}
using var redis = await ConnectionMultiplexer.ConnectAsync(options.Redis);
var payload = new string('x', options.PayloadBytes);
long nextSequence = 0;

var results = new List<Measurement>();
for (int run = 1; run <= options.Runs; run++)
{
    foreach (int publishers in new[] { 1, 8 })
    {
        results.Add(await MeasureNotifyAsync(publishers));
        results.Add(await MeasureRedisAsync(publishers));
    }
    Console.Error.WriteLine($"run {run}/{options.Runs} done");
}

Console.WriteLine($"{options.Messages} wake-ups per measurement, {options.PayloadBytes}-byte rows, medians over {options.Runs} runs");
Console.WriteLine();
Console.WriteLine("| transport | publishers | p50 ms | p99 ms | wake-ups/s |");
Console.WriteLine("|---|---|---|---|---|");
foreach (var group in results.GroupBy(r => (r.Transport, r.Publishers)))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {group.Key.Transport} | {group.Key.Publishers} | {Median(group.Select(r => r.P50)):F2} | {Median(group.Select(r => r.P99)):F2} | {Median(group.Select(r => r.PerSecond)):F0} |"));
}
Console.WriteLine();
foreach (int publishers in new[] { 1, 8 })
{
    double Ratio(Func<Measurement, double> figure) =>
        Median(results.Where(r => r.Transport == "redis" && r.Publishers == publishers).Select(figure))
        / Median(results.Where(r => r.Transport == "notify" && r.Publishers == publishers).Select(figure));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"redis ÷ notify, {publishers} publisher(s): p50 {Ratio(r => r.P50):F2}×, p99 {Ratio(r => r.P99):F2}×, wake-ups/s {Ratio(r => r.PerSecond):F2}×"));
}
return 0;

async Task<Measurement> MeasureNotifyAsync(int publishers)
{
    var started = new ConcurrentDictionary<long, long>();
    var latencies = new ConcurrentBag<double>();
    var allHeard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    await using var listener = await dataSource.OpenConnectionAsync();
    listener.Notification += (_, e) => Heard(long.Parse(e.Payload, CultureInfo.InvariantCulture), started, latencies, allHeard);
    await using (var listen = new NpgsqlCommand("LISTEN fanout", listener))
        await listen.ExecuteNonQueryAsync();
    using var stop = new CancellationTokenSource();
    var waiting = Task.Run(async () =>
    {
        try
        {
            while (true)
                await listener.WaitAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    });

    var clock = Stopwatch.StartNew();
    await PublishAsync(publishers, started, async (connection, sequence) =>
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Command("INSERT INTO fanout_log (seq, json) VALUES (@seq, @json)", ("seq", sequence), ("json", payload)),
                Command("SELECT pg_notify('fanout', @payload)", ("payload", sequence.ToString(CultureInfo.InvariantCulture))),
            },
        };
        await batch.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    });
    await allHeard.Task.WaitAsync(TimeSpan.FromMinutes(2));
    var elapsed = clock.Elapsed;
    await stop.CancelAsync();
    await waiting;
    return Measurement.Of("notify", publishers, latencies, elapsed);
}

async Task<Measurement> MeasureRedisAsync(int publishers)
{
    var started = new ConcurrentDictionary<long, long>();
    var latencies = new ConcurrentBag<double>();
    var allHeard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    var subscriber = redis.GetSubscriber();
    var channel = RedisChannel.Literal("fanout");
    await subscriber.SubscribeAsync(channel, (_, message) => Heard(long.Parse((string)message!, CultureInfo.InvariantCulture), started, latencies, allHeard));

    var clock = Stopwatch.StartNew();
    await PublishAsync(publishers, started, async (connection, sequence) =>
    {
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var insert = new NpgsqlCommand("INSERT INTO fanout_log (seq, json) VALUES (@seq, @json)", connection, transaction);
            insert.Parameters.AddWithValue("seq", sequence);
            insert.Parameters.AddWithValue("json", payload);
            await insert.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }
        await subscriber.PublishAsync(channel, sequence.ToString(CultureInfo.InvariantCulture));
    });
    await allHeard.Task.WaitAsync(TimeSpan.FromMinutes(2));
    var elapsed = clock.Elapsed;
    await subscriber.UnsubscribeAsync(channel);
    return Measurement.Of("redis", publishers, latencies, elapsed);
}

// Each publisher has its own connection and writes its share of the messages one after another.
async Task PublishAsync(int publishers, ConcurrentDictionary<long, long> started, Func<NpgsqlConnection, long, Task> publish)
{
    int each = options.Messages / publishers;
    await Task.WhenAll(Enumerable.Range(0, publishers).Select(async _ =>
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        for (int i = 0; i < each; i++)
        {
            long sequence = Interlocked.Increment(ref nextSequence);
            started[sequence] = Stopwatch.GetTimestamp();
            await publish(connection, sequence);
        }
    }));
}

void Heard(long sequence, ConcurrentDictionary<long, long> started, ConcurrentBag<double> latencies, TaskCompletionSource allHeard)
{
    long now = Stopwatch.GetTimestamp();
    // A wake-up can overtake the bookkeeping of its own publish by a hair: spin until the start is recorded.
    long begun;
    while (!started.TryGetValue(sequence, out begun))
        Thread.SpinWait(10);
    latencies.Add(Stopwatch.GetElapsedTime(begun, now).TotalMilliseconds);
    if (latencies.Count == options.Messages)
        allHeard.TrySetResult();
}

static NpgsqlBatchCommand Command(string sql, params (string Name, object Value)[] parameters)
{
    var command = new NpgsqlBatchCommand(sql);
    foreach (var (name, value) in parameters)
        command.Parameters.AddWithValue(name, value);
    return command;
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

internal sealed record Measurement(string Transport, int Publishers, double P50, double P99, double PerSecond)
{
    public static Measurement Of(string transport, int publishers, ConcurrentBag<double> latencies, TimeSpan elapsed)
    {
        var sorted = latencies.Order().ToArray();
        return new Measurement(transport, publishers, sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)], sorted.Length / elapsed.TotalSeconds);
    }
}

internal sealed record Options(string Postgres, string Redis, int Messages, int Runs, int PayloadBytes)
{
    public static Options? Parse(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Number(string name, int fallback) => int.TryParse(Value(name), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : fallback;
        if (Value("--postgres") is not { } postgres || Value("--redis") is not { } redis)
            return null;
        // A multiple of the largest publisher count, so every measurement hears exactly this many.
        int messages = Number("--messages", 2000) / 8 * 8;
        return new Options(postgres, redis, Math.Max(8, messages), Number("--runs", 5), Number("--payload", 2000));
    }
}
