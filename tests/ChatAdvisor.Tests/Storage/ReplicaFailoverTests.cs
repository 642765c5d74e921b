using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatAdvisor.Tests.Channels.DirectLine;
using ChatAdvisor.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ChatAdvisor.Tests.Storage;

/// <summary>
/// Two replicas as separate processes on loopback sharing one PostgreSQL database. Web Chat clients hold 200
/// conversations of 5 messages each over Direct Line, spread over both replicas with no affinity; one replica is killed
/// with SIGKILL part-way, and the clients go on with the survivor. Every question must be answered once and in order.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplicaFailoverTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Conversations = 200;
    private const int MessagesPerConversation = 5;
    private const int ConcurrentClients = 24;

    private static readonly string[] Questions =
    [
        "What are the advantages of Flask?", "And its disadvantages?", "Which framework has an admin panel?",
        "Is FastAPI good for APIs?", "Who created Django?",
    ];

    private readonly string _storage = Directory.CreateTempSubdirectory("chatadvisor-failover-").FullName;
    private readonly List<Replica> _replicas = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
            await replica.DisposeAsync();
        Directory.Delete(_storage, recursive: true);
    }

    [Fact]
    public async Task KillingAReplica_DuringTwoHundredConversations_LosesDuplicatesAndReordersNothing()
    {
        var environment = new Dictionary<string, string>
        {
            ["Storage__Provider"] = "postgres",
            ["ConnectionStrings__Postgres"] = await postgres.CreateDatabaseAsync(),
            ["Storage__Path"] = _storage,
            ["DirectLine__SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["DirectLine__TurnLeaseSeconds"] = "3",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var limit in new[] { "Ask", "DirectLineToken", "DirectLineConversation", "DirectLineActivity" })
            environment[$"RateLimits__{limit}__PermitLimit"] = "1000000";
        await BuildIndexAsync(environment);
        _replicas.Add(await Replica.StartAsync(environment, _storage));
        _replicas.Add(await Replica.StartAsync(environment, _storage));
        var (victim, survivor) = (_replicas[0], _replicas[1]);

        var answered = 0;
        var stopwatch = Stopwatch.StartNew();
        var killed = Task.Run(async () =>
        {
            // Part-way: 40% of the questions answered, the others asked or about to be.
            while (Volatile.Read(ref answered) < Conversations * MessagesPerConversation * 2 / 5)
                await Task.Delay(20);
            victim.Kill();
            return stopwatch.Elapsed;
        });

        using var gate = new SemaphoreSlim(ConcurrentClients);
        var clients = Enumerable.Range(0, Conversations).Select(async n =>
        {
            await gate.WaitAsync();
            try
            {
                var client = new WebChatClient(_replicas, home: n % 2, n);
                await client.RunAsync(Questions, () => Interlocked.Increment(ref answered));
                return client;
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        var results = await Task.WhenAll(clients);
        var killedAfter = await killed;

        // The transcripts as the survivor has them.
        int lost = 0, duplicated = 0, outOfOrder = 0;
        foreach (var client in results)
        {
            var (l, d, o) = await client.CheckTranscriptAsync(survivor);
            (lost, duplicated, outOfOrder) = (lost + l, duplicated + d, outOfOrder + o);
        }
        var figures = new
        {
            conversations = Conversations, messages = Conversations * MessagesPerConversation, killedAfterSeconds = Math.Round(killedAfter.TotalSeconds, 1),
            totalSeconds = Math.Round(stopwatch.Elapsed.TotalSeconds, 1),
            lost = lost + results.Sum(r => r.Unanswered), duplicated = duplicated + results.Sum(r => r.DuplicatesOnStream),
            outOfOrder = outOfOrder + results.Sum(r => r.OutOfOrderOnStream),
            reconnects = results.Sum(r => r.Reconnects), reposts = results.Sum(r => r.Reposts),
            slowestAnswerSeconds = Math.Round(results.Max(r => r.SlowestAnswer.TotalSeconds), 2),
        };
        var json = JsonSerializer.Serialize(figures);
        output.WriteLine(json);
        var artifacts = Path.Combine(RepoPaths.Root, "artifacts", "replicas");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllTextAsync(Path.Combine(artifacts, "failover.json"), json);

        Assert.True(victim.HasExited);
        Assert.True(figures.reconnects > 0, "some streams were on the killed replica");
        Assert.Equal(0, figures.lost);
        Assert.Equal(0, figures.duplicated);
        Assert.Equal(0, figures.outOfOrder);
    }

    private async Task BuildIndexAsync(Dictionary<string, string> environment)
    {
        var start = Replica.Command(environment, _storage, "index");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        Assert.True(process.ExitCode == 0, await stderr + await stdout);
    }

    /// <summary>One server process.</summary>
    private sealed class Replica : IAsyncDisposable
    {
        private readonly Process _process;

        private Replica(Process process, Uri address)
        {
            _process = process;
            Address = address;
            Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        }

        public Uri Address { get; }

        public HttpClient Client { get; }

        public bool HasExited => _process.HasExited;

        public static ProcessStartInfo Command(Dictionary<string, string> environment, string storage, params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoPaths.Root, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ChatAdvisor.dll"));
            foreach (var argument in arguments)
                start.ArgumentList.Add(argument);
            foreach (var (key, value) in environment)
                start.Environment[key] = value;
            start.Environment["Storage__Path"] = storage;
            return start;
        }

        public static async Task<Replica> StartAsync(Dictionary<string, string> environment, string storage)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }
            var start = Command(environment, storage);
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            start.RedirectStandardOutput = true;
            start.RedirectStandardError = true;
            var process = Process.Start(start)!;
            // Drain the output so the process never blocks on a full pipe.
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var replica = new Replica(process, new Uri($"http://127.0.0.1:{port}"));
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromMinutes(3))
            {
                try
                {
                    if ((await replica.Client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK)
                        return replica;
                }
                catch (HttpRequestException)
                {
                    // Starting.
                }
                Assert.False(process.HasExited, "the replica exited while starting");
                await Task.Delay(200);
            }
            throw new TimeoutException("the replica did not become ready");
        }

        /// <summary>SIGKILL: no shutdown, no draining.</summary>
        public void Kill() => _process.Kill();

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
    }

    /// <summary>
    /// A Web Chat page as a load balancer without affinity would serve it: its stream on one replica, its messages posted
    /// to either, and, when a replica fails, everything to the other. It asks one question at a time and waits for the
    /// answer, resumes its stream from its watermark and re-posts a message whose post failed with the same
    /// clientActivityID.
    /// </summary>
    private sealed class WebChatClient(IReadOnlyList<Replica> replicas, int home, int number)
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _replies = new(StringComparer.Ordinal);
        private readonly List<string> _questionIds = [];
        private string _conversationId = "";
        private string _token = "";
        private long _watermark = -1;

        public int Reconnects { get; private set; }

        public int Reposts { get; private set; }

        public int DuplicatesOnStream { get; private set; }

        public int OutOfOrderOnStream { get; private set; }

        public int Unanswered { get; private set; }

        public TimeSpan SlowestAnswer { get; private set; }

        public async Task RunAsync(IReadOnlyList<string> questions, Action answered)
        {
            var grant = await SendAsync(home, () => new HttpRequestMessage(HttpMethod.Post, "/api/directline/token"));
            _token = grant["token"]!.GetValue<string>();
            _conversationId = grant["conversationId"]!.GetValue<string>();
            var started = await SendAsync(home, () => DirectLineHttp.Request(HttpMethod.Post, "/v3/directline/conversations", _token));
            using var stop = new CancellationTokenSource();
            var streaming = StreamAsync(started["streamUrl"]!.GetValue<string>(), stop.Token);
            try
            {
                for (int k = 0; k < questions.Count; k++)
                {
                    var clientActivityId = $"client-{number}-{k}";
                    var asked = Stopwatch.StartNew();
                    // Alternate replicas per message: no affinity.
                    var posted = await SendAsync((home + k) % 2, () => DirectLineHttp.Request(HttpMethod.Post,
                        $"/v3/directline/conversations/{_conversationId}/activities", _token,
                        new { type = "message", text = questions[k], from = new { id = "page-user" }, channelData = new { clientActivityID = clientActivityId } }));
                    var id = posted["id"]!.GetValue<string>();
                    _questionIds.Add(id);
                    try
                    {
                        await _replies.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(TimeSpan.FromSeconds(60));
                        answered();
                    }
                    catch (TimeoutException)
                    {
                        Unanswered++;
                    }
                    if (asked.Elapsed > SlowestAnswer)
                        SlowestAnswer = asked.Elapsed;
                }
            }
            finally
            {
                await stop.CancelAsync();
                await streaming;
            }
        }

        /// <summary>Counts, in the transcript the survivor serves, questions not answered once, and answers out of order.</summary>
        public async Task<(int Lost, int Duplicated, int OutOfOrder)> CheckTranscriptAsync(Replica survivor)
        {
            var set = await (await survivor.Client.SendAsync(DirectLineHttp.Request(HttpMethod.Get, $"/v3/directline/conversations/{_conversationId}/activities", _token)))
                .Content.ReadFromJsonAsync<JsonObject>();
            var activities = set!["activities"]!.AsArray().Select(a => a!.AsObject()).ToList();
            var userMessages = activities.Where(a => a["from"]?["role"]?.GetValue<string>() == "user").Select(a => a["id"]!.GetValue<string>()).ToList();
            var replies = activities.Where(a => a["replyToId"] is not null && a["type"]!.GetValue<string>() == "message")
                .Select(a => a["replyToId"]!.GetValue<string>()).ToList();
            int lost = _questionIds.Count(q => !replies.Contains(q));
            int duplicated = replies.GroupBy(r => r).Sum(g => g.Count() - 1) + (userMessages.Count - userMessages.Distinct().Count())
                             + Math.Max(0, userMessages.Count - _questionIds.Count);
            int outOfOrder = replies.Distinct().SequenceEqual(_questionIds.Where(replies.Contains)) ? 0 : 1;
            return (lost, duplicated, outOfOrder);
        }

        private async Task StreamAsync(string streamUrl, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var socket = new ClientWebSocket();
                    await socket.ConnectAsync(new Uri(streamUrl), stop);
                    while (!stop.IsCancellationRequested)
                    {
                        var frame = await DirectLineHttp.ReceiveAsync(socket, stop);
                        if (frame.Length > 0)
                            Read(JsonNode.Parse(frame)!);
                        else if (socket.State != WebSocketState.Open)
                            break;
                    }
                }
                catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException or InvalidOperationException)
                {
                    if (stop.IsCancellationRequested)
                        return;
                }
                // The stream broke: resume from the watermark, on whichever replica answers.
                Reconnects++;
                try
                {
                    var resumed = await SendAsync(home, () => DirectLineHttp.Request(HttpMethod.Get,
                        $"/v3/directline/conversations/{_conversationId}?watermark={_watermark}", _token));
                    streamUrl = resumed["streamUrl"]!.GetValue<string>();
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(200, CancellationToken.None);
                }
            }
        }

        private void Read(JsonNode frame)
        {
            foreach (var activity in frame["activities"]!.AsArray())
            {
                var id = activity!["id"]!.GetValue<string>();
                if (activity["type"]!.GetValue<string>() == "typing")
                    continue;
                long sequence = long.Parse(id.Split('|')[1], System.Globalization.CultureInfo.InvariantCulture);
                if (sequence <= _watermark)
                    DuplicatesOnStream++;
                else if (sequence != _watermark + 1)
                    OutOfOrderOnStream++;
                _watermark = Math.Max(_watermark, sequence);
                if (activity["type"]!.GetValue<string>() == "message" && activity["replyToId"]?.GetValue<string>() is { } question)
                    _replies.GetOrAdd(question, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }

        /// <summary>Sends to the preferred replica, and to the other when that one cannot be reached.</summary>
        private async Task<JsonObject> SendAsync(int preferred, Func<HttpRequestMessage> request)
        {
            for (int attempt = 0; attempt < 10; attempt++)
            {
                var replica = replicas[(preferred + attempt) % replicas.Count];
                if (replica.HasExited)
                    continue;
                using var message = request();
                try
                {
                    var response = await replica.Client.SendAsync(message);
                    response.EnsureSuccessStatusCode();
                    return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
                }
                catch (HttpRequestException)
                {
                    if (message.Method == HttpMethod.Post && message.RequestUri!.OriginalString.EndsWith("/activities", StringComparison.Ordinal))
                        Reposts++;
                    await Task.Delay(100);
                }
            }
            throw new HttpRequestException("no replica answered");
        }
    }
}
