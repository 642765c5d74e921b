using System.Security.Cryptography;
using System.Text;
using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Ingestion;

namespace ChatAdvisor.Core.Retrieval;

/// <summary>
/// Saves and loads <see cref="IndexSnapshot"/>s. A file is written to a temporary name, flushed to disk and
/// then renamed over the old one, so a crash mid-write never leaves a half-written index; a file whose
/// checksum does not match is reported as corrupt so the index is rebuilt.
/// </summary>
/// <remarks>Stateless and thread-safe (concurrent writers each write their own temporary file).</remarks>
public static class IndexStore
{
    private static readonly byte[] Magic = "CHATADVISOR-INDEX\n"u8.ToArray();

    /// <summary>Writes <paramref name="snapshot"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(IndexSnapshot snapshot, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        byte[] payload;
        using (var buffer = new MemoryStream())
        {
            using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
                WritePayload(snapshot, writer);
            payload = buffer.ToArray();
        }

        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(Magic);
                file.Write(BitConverter.GetBytes(IndexBuilder.FormatVersion));
                file.Write(BitConverter.GetBytes((long)payload.Length));
                file.Write(SHA256.HashData(payload));
                file.Write(payload);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    /// <summary>
    /// Loads the snapshot at <paramref name="path"/>. Returns null with a reason when there is none, it is from
    /// another format version, or it is corrupt (truncated, wrong checksum, unreadable). Its spelling corrector leaves the
    /// words of <paramref name="language"/> as typed (<see cref="SpellingCorrector"/>).
    /// </summary>
    public static IndexSnapshot? TryLoad(string path, out string? problem, IReadOnlySet<string>? language = null)
    {
        problem = null;
        if (!File.Exists(path))
        {
            problem = "no cached index";
            return null;
        }
        try
        {
            var bytes = File.ReadAllBytes(path);
            int headerLength = Magic.Length + 4 + 8 + 32;
            if (bytes.Length < headerLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            {
                problem = "the cached index is corrupt (bad header)";
                return null;
            }
            int version = BitConverter.ToInt32(bytes, Magic.Length);
            if (version != IndexBuilder.FormatVersion)
            {
                problem = $"the cached index has format {version}, this version uses {IndexBuilder.FormatVersion}";
                return null;
            }
            long length = BitConverter.ToInt64(bytes, Magic.Length + 4);
            var checksum = bytes.AsSpan(Magic.Length + 12, 32);
            if (length != bytes.Length - headerLength)
            {
                problem = "the cached index is corrupt (truncated)";
                return null;
            }
            var payload = bytes.AsSpan(headerLength);
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(payload), checksum))
            {
                problem = "the cached index is corrupt (checksum mismatch)";
                return null;
            }
            using var reader = new BinaryReader(new MemoryStream(bytes, headerLength, (int)length), Encoding.UTF8);
            return ReadPayload(reader, language);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException or FormatException or ArgumentException)
        {
            problem = $"the cached index could not be read ({e.GetType().Name})";
            return null;
        }
    }

    private static void WritePayload(IndexSnapshot snapshot, BinaryWriter w)
    {
        w.Write(snapshot.SettingsKey);
        w.Write(snapshot.Stamps.Count);
        foreach (var stamp in snapshot.Stamps)
        {
            w.Write(stamp.File);
            w.Write(stamp.Sha256);
        }
        w.Write(snapshot.Skipped.Count);
        foreach (var skipped in snapshot.Skipped)
        {
            w.Write(skipped.File);
            w.Write(skipped.Problem ?? "");
        }
        w.Write(snapshot.Articles.Count);
        foreach (var (article, units, chunks) in snapshot.Articles)
        {
            w.Write(article.Id);
            w.Write(article.Title);
            WriteNullable(w, article.Author);
            WriteNullable(w, article.Publisher);
            WriteNullable(w, article.Url);
            w.Write(article.SourceFile);
            w.Write(article.ContentHash);
            w.Write(article.Text);
            w.Write(article.Sections.Count);
            foreach (var section in article.Sections)
            {
                WriteNullable(w, section.Heading);
                w.Write(section.Start);
                w.Write(section.End);
            }
            w.Write(units.Count);
            foreach (var unit in units)
            {
                w.Write(unit.Start);
                w.Write(unit.End);
                w.Write((byte)unit.Kind);
                w.Write(unit.Section);
                w.Write(unit.Block);
            }
            w.Write(chunks.Count);
            foreach (var chunk in chunks)
            {
                w.Write(chunk.Index);
                WriteNullable(w, chunk.Section);
                w.Write(chunk.Start);
                w.Write(chunk.End);
                w.Write(chunk.TokenCount);
            }
        }
        snapshot.Lexical.Write(w);
        w.Write(snapshot.Spelling.Vocabulary.Count);
        foreach (var (word, frequency) in snapshot.Spelling.Vocabulary)
        {
            w.Write(word);
            w.Write(frequency);
        }
        w.Write(snapshot.Vectors is not null);
        snapshot.Vectors?.Write(w);
    }

    private static IndexSnapshot ReadPayload(BinaryReader r, IReadOnlySet<string>? language)
    {
        var settingsKey = r.ReadString();
        var stamps = new List<CorpusFileStamp>();
        for (int i = r.ReadInt32(); i > 0; i--)
            stamps.Add(new CorpusFileStamp(r.ReadString(), r.ReadString()));
        var skipped = new List<IngestionResult>();
        for (int i = r.ReadInt32(); i > 0; i--)
            skipped.Add(new IngestionResult(r.ReadString(), null, r.ReadString()));
        var articles = new List<ChunkedArticle>();
        for (int a = r.ReadInt32(); a > 0; a--)
        {
            var id = r.ReadString();
            var title = r.ReadString();
            var author = ReadNullable(r);
            var publisher = ReadNullable(r);
            var url = ReadNullable(r);
            var sourceFile = r.ReadString();
            var hash = r.ReadString();
            var text = r.ReadString();
            var sections = new List<ArticleSection>();
            for (int i = r.ReadInt32(); i > 0; i--)
                sections.Add(new ArticleSection(ReadNullable(r), r.ReadInt32(), r.ReadInt32()));
            var units = new List<TextUnit>();
            for (int i = r.ReadInt32(); i > 0; i--)
                units.Add(new TextUnit(r.ReadInt32(), r.ReadInt32(), (UnitKind)r.ReadByte(), r.ReadInt32(), r.ReadInt32()));
            var chunks = new List<Chunk>();
            for (int i = r.ReadInt32(); i > 0; i--)
            {
                int index = r.ReadInt32();
                var section = ReadNullable(r);
                int start = r.ReadInt32(), end = r.ReadInt32(), tokens = r.ReadInt32();
                if (start < 0 || end > text.Length || start > end)
                    throw new FormatException("chunk offsets outside the article");
                chunks.Add(new Chunk(index, id, title, section, start, end, text[start..end], tokens));
            }
            var article = new Article(id, title, text, sections)
            {
                Author = author, Publisher = publisher, Url = url, SourceFile = sourceFile, ContentHash = hash,
            };
            articles.Add(new ChunkedArticle(article, units, chunks));
        }
        var lexical = LexicalIndex.Read(r);
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = r.ReadInt32(); i > 0; i--)
            vocabulary[r.ReadString()] = r.ReadInt32();
        var vectors = r.ReadBoolean() ? VectorIndex.Read(r) : null;
        if (vectors is not null && vectors.Count != articles.Sum(a => a.Chunks.Count))
            throw new FormatException("the vector index does not match the chunks");
        return new IndexSnapshot(articles, lexical, new SpellingCorrector(vocabulary, language), stamps, settingsKey)
        {
            Vectors = vectors,
            Built = (DateTimeOffset.UtcNow, TimeSpan.Zero, true),
            Skipped = skipped,
        };
    }

    private static void WriteNullable(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null)
            w.Write(value);
    }

    private static string? ReadNullable(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
}
