using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace ChatAdvisor.Core.Ingestion;

/// <summary>The outcome of reading one corpus file: an article, or the reason it was skipped.</summary>
/// <param name="File">The file's path relative to the corpus folder.</param>
/// <param name="Article">The article, when the file could be read.</param>
/// <param name="Problem">Why the file was skipped, when it was.</param>
public sealed record IngestionResult(string File, Article? Article, string? Problem)
{
    /// <summary>True when the file became an article.</summary>
    public bool Succeeded => Article is not null;

    /// <summary>SHA-256 of the file's bytes, or "unreadable".</summary>
    public string Sha256 { get; init; } = "unreadable";
}

/// <summary>A corpus file's identity for cache invalidation: its relative path and content hash.</summary>
public sealed record CorpusFileStamp(string File, string Sha256);

/// <summary>
/// Reads the corpus folder: every .md, .txt and .html file becomes an <see cref="Article"/>; a file that is
/// empty, binary or unreadable is skipped with a reason, and the rest are still read.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static partial class CorpusLoader
{
    [GeneratedRegex(@"^(?<marks>#{1,6})\s+(?<text>.+?)\s*#*\s*$", RegexOptions.Multiline)]
    private static partial Regex HeadingLine();

    /// <summary>The corpus files (supported extensions), sorted by relative path for a stable order.</summary>
    public static IReadOnlyList<string> EnumerateFiles(string corpusPath)
    {
        if (!Directory.Exists(corpusPath))
            throw new DirectoryNotFoundException($"The corpus folder '{corpusPath}' does not exist (setting Corpus:Path).");
        return [.. Directory.EnumerateFiles(corpusPath, "*", SearchOption.AllDirectories)
            .Where(f => DocumentReader.Extensions.Contains(Path.GetExtension(f)))
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Hashes every corpus file, to tell whether a cached index still matches the corpus.</summary>
    public static IReadOnlyList<CorpusFileStamp> Stamp(string corpusPath)
    {
        var stamps = new List<CorpusFileStamp>();
        foreach (var file in EnumerateFiles(corpusPath))
        {
            string hash;
            try
            {
                hash = HashFile(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                hash = "unreadable";
            }
            stamps.Add(new CorpusFileStamp(Relative(corpusPath, file), hash));
        }
        return stamps;
    }

    /// <summary>Reads one file of the corpus; a file over <paramref name="maxFileBytes"/> is skipped unread.</summary>
    public static IngestionResult Load(string corpusPath, string file, long maxFileBytes = long.MaxValue)
    {
        var relative = Relative(corpusPath, file);
        byte[] bytes;
        try
        {
            long length = new FileInfo(file).Length;
            if (length > maxFileBytes)
                return new IngestionResult(relative, null, $"{length} bytes, over the limit of {maxFileBytes} (Corpus:MaxFileBytes)") { Sha256 = HashFile(file) };
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new IngestionResult(relative, null, $"unreadable ({e.GetType().Name})");
        }
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (bytes.Length == 0 || bytes.All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            return new IngestionResult(relative, null, "empty") { Sha256 = sha };
        if (LooksBinary(bytes))
            return new IngestionResult(relative, null, "binary (not UTF-8 text)") { Sha256 = sha };

        var content = Encoding.UTF8.GetString(bytes);
        var read = DocumentReader.Read(content, Path.GetExtension(file));
        if (read.Text.Trim().Length == 0)
            return new IngestionResult(relative, null, "no article text left after removing page furniture") { Sha256 = sha };

        var id = IdFor(relative);
        var article = new Article(id, read.Title ?? id, read.Text, Sections(read.Text))
        {
            Author = read.Author,
            Publisher = read.Publisher,
            Url = read.Url,
            SourceFile = relative,
            ContentHash = sha,
        };
        return new IngestionResult(relative, article, null) { Sha256 = sha };
    }

    /// <summary>Reads every file of the corpus, reporting progress as files are done; files over <paramref name="maxFileBytes"/> are skipped.</summary>
    public static IReadOnlyList<IngestionResult> LoadAll(string corpusPath, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default,
        long maxFileBytes = long.MaxValue)
    {
        var files = EnumerateFiles(corpusPath);
        var results = new List<IngestionResult>(files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(Load(corpusPath, files[i], maxFileBytes));
            progress?.Report((i + 1, files.Count));
        }
        return results;
    }

    // Streamed, so a huge file is hashed without being held in memory.
    private static string HashFile(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Splits Markdown-like text into sections at its headings. The H1 title section has a null heading.</summary>
    public static IReadOnlyList<ArticleSection> Sections(string text)
    {
        var sections = new List<ArticleSection>();
        int start = 0;
        string? heading = null;
        foreach (Match m in HeadingLine().Matches(text))
        {
            if (m.Index > start || sections.Count > 0 || heading is not null)
                sections.Add(new ArticleSection(heading, start, m.Index));
            heading = m.Groups["marks"].Length == 1 ? null : m.Groups["text"].Value.Trim().TrimEnd(':');
            start = m.Index;
        }
        sections.Add(new ArticleSection(heading, start, text.Length));
        return [.. sections.Where(s => s.End > s.Start)];
    }

    private static bool LooksBinary(byte[] bytes)
    {
        int sample = Math.Min(bytes.Length, 8192);
        if (bytes.AsSpan(0, sample).Contains((byte)0))
            return true;
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(bytes);
            return false;
        }
        catch (DecoderFallbackException)
        {
            return true;
        }
    }

    private static string Relative(string corpusPath, string file) => Path.GetRelativePath(corpusPath, file).Replace('\\', '/');

    private static string IdFor(string relative)
    {
        var withoutExtension = relative[..^Path.GetExtension(relative).Length];
        return withoutExtension.Replace('/', '-').Replace(' ', '-').ToLowerInvariant();
    }
}
