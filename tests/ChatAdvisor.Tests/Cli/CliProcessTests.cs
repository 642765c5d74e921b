using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace ChatAdvisor.Tests.Cli;

/// <summary>Runs the built executable as a user would, from the repository root.</summary>
public sealed class CliProcessTests : IDisposable
{
    private readonly string _storage = Path.Combine(Path.GetTempPath(), "chatadvisor-cli-" + Guid.NewGuid().ToString("N"));

    private static string Executable => Path.Combine(AppContext.BaseDirectory, "ChatAdvisor.dll");

    private ProcessStartInfo Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Executable);
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["Storage__Path"] = _storage;
        return start;
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var process = Process.Start(Start(args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Ask_Json_PrintsTheApiObject()
    {
        var (exit, output, error) = await RunAsync("ask", "Who created Flask?", "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(["conversationId", "answer", "grounded", "citations", "suggestions"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Contains("Armin Ronacher", json.RootElement.GetProperty("answer").GetString());
    }

    [Fact]
    public async Task Ask_WithConversation_ResolvesTheFollowUp()
    {
        var (_, first, _) = await RunAsync("ask", "What are the advantages of Flask?", "--json");
        var id = JsonDocument.Parse(first).RootElement.GetProperty("conversationId").GetString()!;

        var (exit, output, _) = await RunAsync("ask", "And its disadvantages?", "--conversation", id);

        Assert.Equal(0, exit);
        Assert.Contains("disadvantages of Flask", output);
        Assert.Contains("Sources", output);
    }

    [Theory]
    [InlineData(new[] { "ask", "" }, "The question is empty")]
    [InlineData(new[] { "ask" }, "ask needs a question")]
    [InlineData(new[] { "ask", "Flask?", "--conversation", "bad id" }, "not a valid conversation id")]
    [InlineData(new[] { "ask", "Flask?", "--frobnicate" }, "unknown option '--frobnicate'")]
    [InlineData(new[] { "index", "--nope" }, "unknown option '--nope'")]
    [InlineData(new[] { "eval", "--set", "eval/no-such-set.json" }, "does not exist")]
    public async Task Verb_BadInput_ExitsNonZeroNamingTheProblem(string[] args, string message)
    {
        var (exit, _, error) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Contains(message, error);
    }

    [Fact]
    public async Task Index_Corpus_ReportsArticlesAndChunks()
    {
        var (exit, output, error) = await RunAsync("index", "--force");

        Assert.True(exit == 0, error);
        Assert.Contains("python-backend-frameworks-how-to-choose.md: \"Python Backend Frameworks: How to Choose the Right One\" (Amir Aghaverdi)", output);
        Assert.Matches(@"4 articles, \d+ chunks", output);
    }

    [Fact]
    public async Task Chat_TwoQuestions_KeepsContext()
    {
        using var process = Process.Start(Start("chat"))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.StandardInput.WriteLineAsync("What are the advantages of Flask?");
        await process.StandardInput.WriteLineAsync("And its disadvantages?");
        await process.StandardInput.WriteLineAsync("/quit");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);

        var output = await stdout;
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("advantages of Flask", output);
        Assert.Contains("disadvantages of Flask", output);
    }

    [Fact]
    public async Task Server_StartedFromRepositoryRoot_ServesTheApiOnAsp_NetCore_Urls()
    {
        int port = FreePort();
        var start = Start();
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        using var process = Process.Start(start)!;
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            HttpResponseMessage? response = null;
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    response = await client.PostAsJsonAsync("/api/ask", new { question = "Which framework is best for beginners?" });
                    break;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(250);
                }
            }
            Assert.NotNull(response);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(body.GetProperty("grounded").GetBoolean());
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (Directory.Exists(_storage))
            Directory.Delete(_storage, recursive: true);
    }
}
