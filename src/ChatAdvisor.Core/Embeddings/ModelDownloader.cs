using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ChatAdvisor.Core.Embeddings;

/// <summary>A file of a model repository, with its size and sha256 when they are known in advance.</summary>
public sealed record ModelFileSpec(string Path, long? Size = null, string? Sha256 = null);

/// <summary>A sentence-embedding model that <c>models download</c> can fetch from the Hugging Face hub.</summary>
public sealed record ModelSpec(string Name, string Repository, string Revision, IReadOnlyList<ModelFileSpec> Files);

/// <summary>The models the product knows how to fetch, with the checksums known for them.</summary>
public static class ModelCatalog
{
    /// <summary>
    /// all-MiniLM-L6-v2: sizes and sha256 of every file are pinned (the weights' from the upstream LFS pointer,
    /// the small files' from the upstream repository), so a download is verified without asking the hub.
    /// </summary>
    public static readonly ModelSpec AllMiniLmL6V2 = new("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2", "main",
    [
        new("config.json", 612, "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
        new("vocab.txt", 231508, "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"),
        new("tokenizer_config.json", 350, "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b"),
        new("special_tokens_map.json", 112, "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3"),
        new("modules.json", 349, "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf"),
        new("sentence_bert_config.json", 53, "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7"),
        new("1_Pooling/config.json", 190, "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23"),
        new("onnx/model.onnx", 90_405_214, "6fd5d72fe4589f189f8ebc006442dbb529bb7ce38f8082112682524616046452"),
    ]);

    /// <summary>bge-small-en-v1.5 (CLS pooling): no checksums are pinned; sizes and hashes come from the hub's file listing.</summary>
    public static readonly ModelSpec BgeSmallEnV15 = new("bge-small-en-v1.5", "BAAI/bge-small-en-v1.5", "main",
    [
        new("config.json"), new("vocab.txt"), new("tokenizer_config.json"), new("special_tokens_map.json"), new("modules.json"),
        new("sentence_bert_config.json"), new("1_Pooling/config.json"), new("onnx/model.onnx"),
    ]);

    /// <summary>Every known model.</summary>
    public static IReadOnlyList<ModelSpec> Models { get; } = [AllMiniLmL6V2, BgeSmallEnV15];

    /// <summary>The model called <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ModelSpec? Find(string name) => Models.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>A model could not be fetched or verified; the message says what to do.</summary>
public sealed class ModelDownloadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Downloads a model from the Hugging Face hub into <c>&lt;models folder&gt;/&lt;name&gt;</c>, checking each file's
/// size and sha256 (or, for small files the hub does not keep in LFS, its git blob hash) before moving it into place,
/// so an interrupted or altered download never replaces a good file. Files already present and correct are kept.
/// </summary>
/// <remarks>Thread-safe as long as two downloads do not target the same folder.</remarks>
public sealed class ModelDownloader(HttpClient http, Uri? hub = null)
{
    /// <summary>The public hub.</summary>
    public static readonly Uri DefaultHub = new("https://huggingface.co/");

    private readonly Uri _hub = hub ?? DefaultHub;

    /// <summary>Downloads <paramref name="model"/> into <paramref name="modelsFolder"/>/<c>name</c> and returns that folder.</summary>
    /// <exception cref="ModelDownloadException">The hub cannot be reached, lacks a file, or a file fails its check.</exception>
    public async Task<string> DownloadAsync(ModelSpec model, string modelsFolder, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var target = Path.Combine(modelsFolder, model.Name);
        Directory.CreateDirectory(target);

        var listing = model.Files.All(f => f.Size is not null && f.Sha256 is not null)
            ? new Dictionary<string, HubFile>()
            : await ListAsync(model, cancellationToken);
        foreach (var file in model.Files)
        {
            var expected = Expectation(model, file, listing);
            var destination = Path.Combine(target, file.Path.Replace('/', Path.DirectorySeparatorChar));
            if (File.Exists(destination) && await MatchesAsync(destination, expected, cancellationToken))
            {
                progress?.Report($"{file.Path}: already present and verified");
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            var partial = destination + ".part";
            try
            {
                await FetchAsync(model, file.Path, partial, cancellationToken);
                var (size, hash) = await HashAsync(partial, expected.GitBlob, cancellationToken);
                if (size != expected.Size)
                    throw new ModelDownloadException($"{file.Path} of {model.Repository} is {size:N0} bytes, expected {expected.Size:N0}; the download was not kept.");
                if (!string.Equals(hash, expected.Hash, StringComparison.OrdinalIgnoreCase))
                    throw new ModelDownloadException($"{file.Path} of {model.Repository} has {(expected.GitBlob ? "git blob hash" : "sha256")} {hash}, expected {expected.Hash}; the download was not kept.");
                File.Move(partial, destination, overwrite: true);
                progress?.Report($"{file.Path}: {size:N0} bytes, {(expected.GitBlob ? "git blob hash" : "sha256")} verified");
            }
            finally
            {
                File.Delete(partial);
            }
        }
        return target;
    }

    private sealed record HubFile(long Size, string? Sha256, string? GitOid);

    private sealed record Expected(long Size, string Hash, bool GitBlob);

    private static Expected Expectation(ModelSpec model, ModelFileSpec file, Dictionary<string, HubFile> listing)
    {
        if (file.Size is long size && file.Sha256 is { } sha)
            return new Expected(size, sha, GitBlob: false);
        if (!listing.TryGetValue(file.Path, out var listed))
            throw new ModelDownloadException($"The hub has no {file.Path} in {model.Repository} at revision {model.Revision}; this model cannot be used as is.");
        if (listed.Sha256 is { } lfsSha)
            return new Expected(listed.Size, lfsSha, GitBlob: false);
        return new Expected(listed.Size, listed.GitOid ?? throw new ModelDownloadException($"The hub listing gives no hash for {file.Path} of {model.Repository}."), GitBlob: true);
    }

    private async Task<Dictionary<string, HubFile>> ListAsync(ModelSpec model, CancellationToken cancellationToken)
    {
        var uri = new Uri(_hub, $"api/models/{model.Repository}/tree/{model.Revision}?recursive=true");
        using var response = await SendAsync(uri, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new ModelDownloadException($"The hub answered {(int)response.StatusCode} {response.ReasonPhrase} when listing {model.Repository} at {model.Revision}.");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var files = new Dictionary<string, HubFile>(StringComparer.Ordinal);
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            if (entry.GetProperty("type").GetString() != "file")
                continue;
            var lfs = entry.TryGetProperty("lfs", out var l) && l.ValueKind == JsonValueKind.Object ? l : (JsonElement?)null;
            files[entry.GetProperty("path").GetString()!] = new HubFile(
                lfs?.GetProperty("size").GetInt64() ?? entry.GetProperty("size").GetInt64(),
                lfs?.GetProperty("oid").GetString(),
                entry.TryGetProperty("oid", out var oid) ? oid.GetString() : null);
        }
        return files;
    }

    private async Task FetchAsync(ModelSpec model, string path, string destination, CancellationToken cancellationToken)
    {
        var uri = new Uri(_hub, $"{model.Repository}/resolve/{model.Revision}/{path}");
        using var response = await SendAsync(uri, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new ModelDownloadException($"The hub has no {path} in {model.Repository} at revision {model.Revision}.");
        if (!response.IsSuccessStatusCode)
            throw new ModelDownloadException($"The hub answered {(int)response.StatusCode} {response.ReasonPhrase} for {path} of {model.Repository}.");
        await using var output = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using var input = await response.Content.ReadAsStreamAsync(cancellationToken);
        await input.CopyToAsync(output, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            return await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException || exception is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new ModelDownloadException(
                $"Could not reach the Hugging Face hub at {_hub} ({exception.Message}). Downloading a model needs internet access; " +
                "on a machine without it, copy a model folder from one that has it and set Embeddings:ModelPath to that folder.", exception);
        }
    }

    private static async Task<bool> MatchesAsync(string path, Expected expected, CancellationToken cancellationToken)
    {
        if (new FileInfo(path).Length != expected.Size)
            return false;
        var (_, hash) = await HashAsync(path, expected.GitBlob, cancellationToken);
        return string.Equals(hash, expected.Hash, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The file's size and its sha256, or its git blob hash (sha1 of "blob &lt;size&gt;\0" + content).</summary>
    private static async Task<(long Size, string Hash)> HashAsync(string path, bool gitBlob, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        using var hash = IncrementalHash.CreateHash(gitBlob ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256);
        if (gitBlob)
            hash.AppendData(Encoding.ASCII.GetBytes($"blob {stream.Length}\0"));
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            hash.AppendData(buffer, 0, read);
        return (stream.Length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
