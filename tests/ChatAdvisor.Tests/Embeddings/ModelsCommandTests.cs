using System.Net;
using System.Net.Sockets;
using ChatAdvisor.Cli;

namespace ChatAdvisor.Tests.Embeddings;

public sealed class ModelsCommandTests
{
    [Fact]
    public async Task Download_HubUnreachable_ExitsOneAndSaysSo()
    {
        // A loopback port nothing listens on: the connection is refused, as it is for a machine without internet.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var folder = Path.Combine(Path.GetTempPath(), "chatadvisor-models-" + Guid.NewGuid().ToString("N"));
        using var http = new HttpClient();
        var output = new StringWriter();
        var error = new StringWriter();

        try
        {
            var exitCode = await ModelsCommand.RunAsync(["download", "all-MiniLM-L6-v2", "--dir", folder], http,
                new Uri($"http://127.0.0.1:{port}/"), output, error);

            Assert.Equal(1, exitCode);
            Assert.StartsWith($"Could not reach the Hugging Face hub at http://127.0.0.1:{port}/", error.ToString(), StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(folder, "all-MiniLM-L6-v2", "config.json")));
        }
        finally
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Download_UnknownModel_ExitsTwoListingTheKnownModels()
    {
        using var http = new HttpClient();
        var error = new StringWriter();

        var exitCode = await ModelsCommand.RunAsync(["download", "gpt-5"], http, null, new StringWriter(), error);

        Assert.Equal(2, exitCode);
        Assert.Contains("all-MiniLM-L6-v2, bge-small-en-v1.5", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void IsVerb_Models_IsACommandNotAServerArgument()
    {
        Assert.True(CliVerbs.IsVerb("models"));
    }
}
