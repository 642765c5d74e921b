using System.Net;
using System.Security.Cryptography;
using System.Text;
using ChatAdvisor.Core.Embeddings;

namespace ChatAdvisor.Core.Tests.Embeddings;

public sealed class ModelDownloaderTests : IDisposable
{
    private static readonly Uri Hub = new("https://hub.test/");
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "chatadvisor-download-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static string GitBlob(byte[] content) =>
        Convert.ToHexStringLower(SHA1.HashData([.. Encoding.ASCII.GetBytes($"blob {content.Length}\0"), .. content]));

    [Fact]
    public async Task DownloadAsync_PinnedFiles_WritesThemAfterVerifying()
    {
        var config = "{\"hidden_size\": 384}"u8.ToArray();
        var weights = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        var hub = new FakeHub { ["demo/repo/resolve/main/config.json"] = config, ["demo/repo/resolve/main/1_Pooling/config.json"] = config, ["demo/repo/resolve/main/model.safetensors"] = weights };
        var spec = new ModelSpec("demo", "demo/repo", "main",
            [new("config.json", config.Length, Sha256(config)), new("1_Pooling/config.json", config.Length, Sha256(config)), new("model.safetensors", weights.Length, Sha256(weights))]);
        var progress = new List<string>();

        var folder = await new ModelDownloader(new HttpClient(hub), Hub).DownloadAsync(spec, _folder, new ListProgress(progress));

        Assert.Equal(weights, await File.ReadAllBytesAsync(Path.Combine(folder, "model.safetensors")));
        Assert.Equal(config, await File.ReadAllBytesAsync(Path.Combine(folder, "1_Pooling", "config.json")));
        Assert.Contains(progress, p => p.StartsWith("model.safetensors: 5,000 bytes, sha256 verified", StringComparison.Ordinal));
        Assert.DoesNotContain(hub.Requests, r => r.Contains("/api/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadAsync_ContentDiffersFromPin_KeepsNothingAndNamesTheFile()
    {
        var served = "tampered"u8.ToArray();
        var hub = new FakeHub { ["demo/repo/resolve/main/model.safetensors"] = served };
        var spec = new ModelSpec("demo", "demo/repo", "main", [new("model.safetensors", served.Length, new string('0', 64))]);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => new ModelDownloader(new HttpClient(hub), Hub).DownloadAsync(spec, _folder));

        Assert.Contains("model.safetensors", error.Message, StringComparison.Ordinal);
        Assert.Contains(Sha256(served), error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(_folder, "demo")));
    }

    [Fact]
    public async Task DownloadAsync_ShortDownload_IsRejectedForItsSize()
    {
        var hub = new FakeHub { ["demo/repo/resolve/main/model.safetensors"] = new byte[10] };
        var spec = new ModelSpec("demo", "demo/repo", "main", [new("model.safetensors", 90_868_376, new string('0', 64))]);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => new ModelDownloader(new HttpClient(hub), Hub).DownloadAsync(spec, _folder));

        Assert.Contains("10 bytes, expected 90,868,376", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadAsync_UnpinnedFiles_AreCheckedAgainstTheHubListing()
    {
        var vocab = "[PAD]\n[UNK]\n"u8.ToArray();
        var weights = new byte[] { 1, 2, 3, 4 };
        var listing = $$"""
            [{"type": "file", "path": "vocab.txt", "size": {{vocab.Length}}, "oid": "{{GitBlob(vocab)}}"},
             {"type": "directory", "path": "1_Pooling", "size": 0, "oid": "x"},
             {"type": "file", "path": "model.safetensors", "size": 134, "oid": "ignored",
              "lfs": {"oid": "{{Sha256(weights)}}", "size": {{weights.Length}}, "pointerSize": 134 } }]
            """;
        var hub = new FakeHub
        {
            ["api/models/demo/repo/tree/main?recursive=true"] = Encoding.UTF8.GetBytes(listing),
            ["demo/repo/resolve/main/vocab.txt"] = vocab,
            ["demo/repo/resolve/main/model.safetensors"] = weights,
        };
        var spec = new ModelSpec("demo", "demo/repo", "main", [new("vocab.txt"), new("model.safetensors")]);

        var folder = await new ModelDownloader(new HttpClient(hub), Hub).DownloadAsync(spec, _folder);

        Assert.Equal(vocab, await File.ReadAllBytesAsync(Path.Combine(folder, "vocab.txt")));
        Assert.Equal(weights, await File.ReadAllBytesAsync(Path.Combine(folder, "model.safetensors")));
    }

    [Fact]
    public async Task DownloadAsync_FileMissingFromTheHub_SaysWhichFile()
    {
        var hub = new FakeHub { ["api/models/demo/repo/tree/main?recursive=true"] = "[]"u8.ToArray() };
        var spec = new ModelSpec("demo", "demo/repo", "main", [new("model.safetensors")]);

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() => new ModelDownloader(new HttpClient(hub), Hub).DownloadAsync(spec, _folder));

        Assert.Contains("no model.safetensors in demo/repo", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadAsync_HubUnreachable_SaysSoPlainly()
    {
        var hub = new FakeHub { Unreachable = true };

        var error = await Assert.ThrowsAsync<ModelDownloadException>(() =>
            new ModelDownloader(new HttpClient(hub), Hub).DownloadAsync(ModelCatalog.AllMiniLmL6V2, _folder));

        Assert.StartsWith("Could not reach the Hugging Face hub at https://hub.test/", error.Message, StringComparison.Ordinal);
        Assert.Contains("Embeddings:ModelPath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DownloadAsync_FileAlreadyPresentAndCorrect_IsNotFetchedAgain()
    {
        var config = "{}"u8.ToArray();
        Directory.CreateDirectory(Path.Combine(_folder, "demo"));
        await File.WriteAllBytesAsync(Path.Combine(_folder, "demo", "config.json"), config);
        var hub = new FakeHub();
        var spec = new ModelSpec("demo", "demo/repo", "main", [new("config.json", config.Length, Sha256(config))]);

        await new ModelDownloader(new HttpClient(hub), Hub).DownloadAsync(spec, _folder);

        Assert.Empty(hub.Requests);
    }

    [Fact]
    public void Catalog_MiniLmPins_MatchTheUpstreamFiles()
    {
        foreach (var file in ModelCatalog.AllMiniLmL6V2.Files.Where(f => f.Path != "onnx/model.onnx"))
        {
            var bytes = File.ReadAllBytes(TestModels.Fixture(["all-MiniLM-L6-v2", .. file.Path.Split('/')]));
            Assert.Equal(file.Size, bytes.Length);
            Assert.Equal(file.Sha256, Sha256(bytes));
        }
        var pointers = File.ReadAllText(TestModels.Fixture("all-MiniLM-L6-v2", "lfs-pointers.txt"));
        var weights = ModelCatalog.AllMiniLmL6V2.Files.Single(f => f.Path == "onnx/model.onnx");
        Assert.Contains($"== onnx/model.onnx\nversion https://git-lfs.github.com/spec/v1\noid sha256:{weights.Sha256}\nsize {weights.Size}", pointers, StringComparison.Ordinal);
    }

    private sealed class ListProgress(List<string> lines) : IProgress<string>
    {
        public void Report(string value) => lines.Add(value);
    }

    /// <summary>Serves fixed bodies by path and query; 404 for anything else; or fails every request as an unreachable host does.</summary>
    private sealed class FakeHub : HttpMessageHandler, System.Collections.IEnumerable
    {
        private readonly Dictionary<string, byte[]> _bodies = [];

        public bool Unreachable { get; init; }

        public List<string> Requests { get; } = [];

        public byte[] this[string pathAndQuery] { set => _bodies[pathAndQuery] = value; }

        public System.Collections.IEnumerator GetEnumerator() => _bodies.GetEnumerator();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Unreachable)
                throw new HttpRequestException("Name or service not known (hub.test:443)");
            var key = request.RequestUri!.PathAndQuery.TrimStart('/');
            Requests.Add(key);
            return Task.FromResult(_bodies.TryGetValue(key, out var body)
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) }
                : new HttpResponseMessage(HttpStatusCode.NotFound));
        }
    }
}
