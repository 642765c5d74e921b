using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace ChatAdvisor.Hosting;

/// <summary>
/// One file as the server sends it: its bytes, and the same bytes compressed with Brotli and gzip when that makes
/// them smaller. <see cref="Version"/> is a hash of the content: it is the ETag, and a request that names it
/// (<c>?v=</c>) may be cached for a year, because another content gets another version.
/// </summary>
public sealed class StaticAsset
{
    /// <summary>Files up to this size are compressed in memory when the build left no compressed copy beside them.</summary>
    private const int CompressInMemoryLimit = 1024 * 1024;

    private StaticAsset(string contentType, byte[] identity, byte[]? brotli, byte[]? gzip)
    {
        ContentType = contentType;
        Identity = identity;
        Brotli = brotli is not null && brotli.Length < identity.Length ? brotli : null;
        Gzip = gzip is not null && gzip.Length < identity.Length ? gzip : null;
        Version = Convert.ToHexStringLower(SHA256.HashData(identity))[..16];
    }

    /// <summary>The Content-Type.</summary>
    public string ContentType { get; }

    /// <summary>The hash of the content, used as ETag and as the <c>v</c> query of fingerprinted links.</summary>
    public string Version { get; }

    internal byte[] Identity { get; }

    internal byte[]? Brotli { get; }

    internal byte[]? Gzip { get; }

    /// <summary>
    /// An asset from <paramref name="content"/>, compressed here (at the highest level: this runs once per file and
    /// process). Large content should come with copies compressed at build time: see <see cref="FromFile"/>.
    /// </summary>
    public static StaticAsset FromBytes(byte[] content, string contentType)
    {
        if (content.Length > CompressInMemoryLimit || !IsCompressible(contentType))
            return new StaticAsset(contentType, content, null, null);
        return new StaticAsset(contentType, content, CompressBrotli(content), CompressGzip(content));
    }

    /// <summary>
    /// An asset from a file. Small files are compressed in memory; a large one is sent with the compressed copies the
    /// build wrote beside it (<c>name.br</c>, <c>name.gz</c>) when they are at least as new as the file.
    /// </summary>
    public static StaticAsset FromFile(string path, string contentType, byte[]? content = null)
    {
        content ??= File.ReadAllBytes(path);
        if (content.Length <= CompressInMemoryLimit)
            return FromBytes(content, contentType);
        var modified = File.GetLastWriteTimeUtc(path);
        byte[]? Sibling(string extension)
            => File.Exists(path + extension) && File.GetLastWriteTimeUtc(path + extension) >= modified ? File.ReadAllBytes(path + extension) : null;

        return new StaticAsset(contentType, content, Sibling(".br"), Sibling(".gz"));
    }

    /// <summary>
    /// Writes the asset: the smallest encoding the client accepts, an ETag per encoding (304 when the client has it),
    /// and a year of caching when the request names this version (<c>?v=</c>), else revalidation each time.
    /// </summary>
    public Task WriteAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var (body, encoding) = Choose(request.Headers.AcceptEncoding);
        string etag = "\"" + Version + (encoding is null ? "" : "-" + encoding) + "\"";

        response.Headers.ContentType = ContentType;
        response.Headers.ETag = etag;
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.CacheControl = request.Query["v"] == Version ? "public, max-age=31536000, immutable" : "no-cache";
        if (encoding is not null)
            response.Headers.ContentEncoding = encoding;

        if (Matches(request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private (byte[] Body, string? Encoding) Choose(string? acceptEncoding)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
            return (Identity, null);
        if (Brotli is not null && Accepts(acceptEncoding, "br"))
            return (Brotli, "br");
        if (Gzip is not null && Accepts(acceptEncoding, "gzip"))
            return (Gzip, "gzip");
        return (Identity, null);
    }

    private static bool Accepts(string acceptEncoding, string coding)
    {
        foreach (var part in acceptEncoding.Split(','))
        {
            var pieces = part.Split(';', 2, StringSplitOptions.TrimEntries);
            if (!pieces[0].Equals(coding, StringComparison.OrdinalIgnoreCase))
                continue;
            // "br;q=0" refuses the coding.
            if (pieces.Length == 1)
                return true;
            var q = pieces[1].Replace(" ", "", StringComparison.Ordinal);
            return !q.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                   || !double.TryParse(q[2..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var weight)
                   || weight > 0;
        }
        return false;
    }

    private static bool Matches(string? ifNoneMatch, string etag)
        => !string.IsNullOrEmpty(ifNoneMatch)
           && ifNoneMatch.Split(',', StringSplitOptions.TrimEntries).Any(tag => tag == etag || tag == "W/" + etag || tag == "*");

    private static bool IsCompressible(string contentType)
        => contentType.StartsWith("text/", StringComparison.Ordinal)
           || contentType.Contains("javascript", StringComparison.Ordinal)
           || contentType.Contains("json", StringComparison.Ordinal)
           || contentType.Contains("svg", StringComparison.Ordinal);

    private static byte[] CompressBrotli(byte[] content)
    {
        using var output = new MemoryStream();
        using (var encoder = new BrotliStream(output, CompressionLevel.SmallestSize))
            encoder.Write(content);
        return output.ToArray();
    }

    private static byte[] CompressGzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var encoder = new GZipStream(output, CompressionLevel.SmallestSize))
            encoder.Write(content);
        return output.ToArray();
    }
}

/// <summary>
/// The web chat page's files, read once from the web root: every file keyed by its path, HTML files with their
/// links to the other files fingerprinted (<c>app.js?v=…</c>) so those can be cached for a year and still change
/// with each build. Built on first use. Thread-safe.
/// </summary>
public sealed partial class StaticAssets
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();
    private readonly Lazy<IReadOnlyDictionary<string, StaticAsset>> _assets;

    /// <summary>Serves the files under <paramref name="webRoot"/>.</summary>
    public StaticAssets(string webRoot)
    {
        WebRoot = webRoot;
        _assets = new Lazy<IReadOnlyDictionary<string, StaticAsset>>(() => Load(webRoot), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The folder the files come from.</summary>
    public string WebRoot { get; }

    /// <summary>The asset at <paramref name="path"/> (relative to the web root, with <c>/</c>), or null.</summary>
    public StaticAsset? Find(string path) => _assets.Value.GetValueOrDefault(path.TrimStart('/'));

    /// <summary>
    /// <paramref name="html"/> with each <c>src</c>/<c>href</c> that names one of the files given a <c>?v=</c>
    /// fingerprint of that file's content. Paths may be relative to the web root or start with <c>/</c>.
    /// </summary>
    public string Fingerprint(string html) => Fingerprint(html, _assets.Value);

    /// <summary>The Content-Type for a file name (application/octet-stream when unknown).</summary>
    public static string ContentTypeOf(string path)
    {
        var type = ContentTypes.TryGetContentType(path, out var known) ? known : "application/octet-stream";
        return type.StartsWith("text/", StringComparison.Ordinal) || type.Contains("javascript", StringComparison.Ordinal) ? type + "; charset=utf-8" : type;
    }

    private static Dictionary<string, StaticAsset> Load(string webRoot)
    {
        var assets = new Dictionary<string, StaticAsset>(StringComparer.Ordinal);
        if (!Directory.Exists(webRoot))
            return assets;

        var files = Directory.EnumerateFiles(webRoot, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".br", StringComparison.Ordinal) && !f.EndsWith(".gz", StringComparison.Ordinal))
            .Select(f => (Full: f, Relative: Path.GetRelativePath(webRoot, f).Replace('\\', '/')))
            .ToList();

        // Everything but HTML first: the HTML files link to them by fingerprint.
        foreach (var (full, relative) in files.Where(f => !IsHtml(f.Relative)))
            assets[relative] = StaticAsset.FromFile(full, ContentTypeOf(relative));
        var others = new Dictionary<string, StaticAsset>(assets, StringComparer.Ordinal);
        foreach (var (full, relative) in files.Where(f => IsHtml(f.Relative)))
            assets[relative] = StaticAsset.FromBytes(Encoding.UTF8.GetBytes(Fingerprint(File.ReadAllText(full), others)), ContentTypeOf(relative));
        return assets;
    }

    private static string Fingerprint(string html, IReadOnlyDictionary<string, StaticAsset> assets)
        => AssetReference().Replace(html, match =>
        {
            var path = match.Groups["path"].Value;
            return assets.TryGetValue(path.TrimStart('/'), out var asset)
                ? match.Groups["attribute"].Value + "=\"" + path + "?v=" + asset.Version + "\""
                : match.Value;
        });

    private static bool IsHtml(string path) => path.EndsWith(".html", StringComparison.OrdinalIgnoreCase);

    // A local path without query, fragment or scheme: the only references rewritten.
    [GeneratedRegex(@"(?<attribute>\b(?:src|href))=""(?<path>/?[A-Za-z0-9_./-]+)""")]
    private static partial Regex AssetReference();
}
