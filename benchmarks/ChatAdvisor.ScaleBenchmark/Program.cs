// Scale benchmark: indexes the Django and Flask documentation that Debian ships (python-django-doc,
// python-flask-doc) with the product's own ingestion, chunking, BM25 and default embedding model
// (snowflake-arctic-embed-xs on ONNX Runtime), then prints index
// build time, index size on disk and in memory per chunk, and p50/p99 query latency for lexical, vector and
// hybrid retrieval; the same chunks and queries go through minisearch (npm) as the keyword-search anchor.
//
// Run: dotnet run -c Release --project benchmarks/ChatAdvisor.ScaleBenchmark [-- [--max-tokens N] [--threads N] <html folder> ...]
// --max-tokens sets the chunk size (default 160, as the server uses; overlap is a fifth of it); --threads the batches
// embedded at once (default 0: one per core).
using System.Diagnostics;
using System.Text.Json;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Embeddings;
using ChatAdvisor.Core.Retrieval;
using Microsoft.Extensions.Options;

string[] defaultSources = ["/usr/share/doc/python-django-doc/html", "/usr/share/doc/python-flask-doc/html"];
var chunking = new ChunkingOptions();
var rest = new List<string>(args);
int sizeAt = rest.IndexOf("--max-tokens");
if (sizeAt >= 0)
{
    if (sizeAt + 1 >= rest.Count || !int.TryParse(rest[sizeAt + 1], out int maxTokens) || maxTokens < 16)
    {
        Console.Error.WriteLine("--max-tokens needs a number of at least 16");
        return 2;
    }
    chunking = new ChunkingOptions { MaxTokens = maxTokens, OverlapTokens = maxTokens / 5 };
    rest.RemoveRange(sizeAt, 2);
}
var embeddingOptions = new EmbeddingsOptions();
int threadsAt = rest.IndexOf("--threads");
if (threadsAt >= 0)
{
    if (threadsAt + 1 >= rest.Count || !int.TryParse(rest[threadsAt + 1], out int threads) || threads < 0)
    {
        Console.Error.WriteLine("--threads needs a number (0: one per core)");
        return 2;
    }
    embeddingOptions.Threads = threads;
    rest.RemoveRange(threadsAt, 2);
}
var sources = rest.Count > 0 ? rest.ToArray() : defaultSources;
foreach (var source in sources)
{
    if (!Directory.Exists(source))
    {
        Console.Error.WriteLine($"{source} is missing: apt-get install python-django-doc python-flask-doc");
        return 2;
    }
}

var root = FindRepositoryRoot();
var work = Directory.CreateTempSubdirectory("chatadvisor-scale-");
try
{
    // 1. The corpus: every documentation page, without the generated index and search pages.
    var corpus = Directory.CreateDirectory(Path.Combine(work.FullName, "corpus"));
    int pages = 0;
    foreach (var source in sources)
    {
        var name = new DirectoryInfo(source).Parent?.Name ?? "docs";
        foreach (var file in Directory.EnumerateFiles(source, "*.html", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith('_') || Path.GetFileName(file) is "genindex.html" or "search.html" or "py-modindex.html" or "404.html")
                continue;
            var target = Path.Combine(corpus.FullName, name, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            pages++;
        }
    }

    // 2. The embedding: load time of the default model.
    var loadClock = Stopwatch.StartNew();
    var model = EmbeddingModel.FindPackaged(EmbeddingModel.ArcticEmbedXsName)!;
    var tokenizer = BertTokenCounter.CreateTokenizer(model);
    using var generator = new OnnxEmbeddingGenerator(model, tokenizer, embeddingOptions);
    await generator.LoadAsync();
    loadClock.Stop();

    // The four-article corpus first: what a user of the embedded default waits for.
    var builder = new IndexBuilder(chunking, new BertTokenCounter(tokenizer), generator);
    var small = builder.Build(Path.Combine(root, "corpus"));
    var smallClock = Stopwatch.StartNew();
    small = await builder.AddVectorsAsync(small);
    smallClock.Stop();

    // 3. Build the documentation index: lexical, then vectors.
    long before = GC.GetTotalMemory(forceFullCollection: true);
    var lexicalClock = Stopwatch.StartNew();
    var snapshot = builder.Build(corpus.FullName);
    lexicalClock.Stop();
    long afterLexical = GC.GetTotalMemory(forceFullCollection: true);
    var vectorClock = Stopwatch.StartNew();
    int lastTenth = -1;
    snapshot = await builder.AddVectorsAsync(snapshot, new Progress<(int Done, int Total)>(p =>
    {
        if (p.Done * 10 / p.Total != lastTenth)
        {
            lastTenth = p.Done * 10 / p.Total;
            Console.Error.WriteLine($"  embedded {p.Done}/{p.Total} texts (chunks and the passages in them) in {vectorClock.Elapsed.TotalSeconds:0} s");
        }
    }));
    vectorClock.Stop();
    long afterVectors = GC.GetTotalMemory(forceFullCollection: true);
    int chunks = snapshot.Chunks.Count;
    var indexFile = Path.Combine(work.FullName, "index.bin");
    IndexStore.Save(snapshot, indexFile);
    long diskBytes = new FileInfo(indexFile).Length;

    Console.WriteLine($"Corpus: {pages} HTML pages from {string.Join(", ", sources)}");
    Console.WriteLine($"        {snapshot.Articles.Count} articles, {chunks} chunks, {snapshot.Lexical.TermCount} terms");
    Console.WriteLine($"Embedding: {model.Name}, {generator.Dimensions} dims, {(embeddingOptions.Threads == 0 ? "one batch per core at once" : embeddingOptions.Threads + " batches at once")}, " +
        $"loaded in {loadClock.Elapsed.TotalMilliseconds:0} ms; four-article corpus ({small.Chunks.Count} chunks) embedded in {smallClock.Elapsed.TotalMilliseconds:0} ms");
    Console.WriteLine();
    Console.WriteLine($"Index build       lexical {lexicalClock.Elapsed.TotalSeconds:0.00} s (reading, cleaning, chunking, BM25), vectors {vectorClock.Elapsed.TotalSeconds:0.00} s " +
        $"({chunks / vectorClock.Elapsed.TotalSeconds:0.0} chunks/s); total {(lexicalClock.Elapsed + vectorClock.Elapsed).TotalMinutes:0.0} min");
    Console.WriteLine($"Index on disk     {diskBytes / 1048576.0:0.0} MiB ({diskBytes / (double)chunks:0} bytes per chunk, texts included)");
    Console.WriteLine($"In memory         whole snapshot {(afterVectors - before) / (double)chunks:0} bytes per chunk (texts, BM25, vectors); " +
        $"vectors {snapshot.Vectors!.MemoryBytes / (double)chunks:0} bytes per chunk (measured growth {(afterVectors - afterLexical) / (double)chunks:0})");

    // 4. Queries: developer questions, worded with and without the documentation's own terms.
    var queries = Queries;
    var retriever = new HybridRetriever(new Retriever(), generator, Options.Create(new RetrievalOptions()));
    const int rounds = 5;
    Console.WriteLine();
    Console.WriteLine($"Query latency over {queries.Length} questions x {rounds} rounds (top 8, warm):");
    foreach (var kind in new[] { RetrieverKind.Lexical, RetrieverKind.Vector, RetrieverKind.Hybrid })
    {
        foreach (var q in queries)
            await retriever.SearchAsync(snapshot, q, 8, kind);
        var times = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            foreach (var q in queries)
            {
                long started = Stopwatch.GetTimestamp();
                await retriever.SearchAsync(snapshot, q, 8, kind);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        times.Sort();
        Console.WriteLine($"  {kind.ToString().ToLowerInvariant(),-10} p50 {Percentile(times, 0.50),7:0.000} ms   p99 {Percentile(times, 0.99),7:0.000} ms");
    }

    // 5. minisearch on the same chunks and questions.
    var anchor = Path.Combine(root, "benchmarks", "minisearch");
    if (!Directory.Exists(Path.Combine(anchor, "node_modules")))
    {
        Console.WriteLine("  minisearch skipped: run 'npm ci' in benchmarks/minisearch first");
        return 0;
    }
    var input = Path.Combine(work.FullName, "minisearch-input.json");
    await using (var stream = File.Create(input))
    {
        await JsonSerializer.SerializeAsync(stream, new
        {
            chunks = snapshot.Chunks.Select(c => new { id = c.Index, text = HybridRetriever.EmbeddingText(c) }),
            queries,
            rounds,
        });
    }
    var node = Process.Start(new ProcessStartInfo("node", [Path.Combine(anchor, "run.mjs"), input]) { RedirectStandardOutput = true, WorkingDirectory = anchor })!;
    var output = await node.StandardOutput.ReadToEndAsync();
    await node.WaitForExitAsync();
    using var result = JsonDocument.Parse(output);
    var r = result.RootElement;
    Console.WriteLine($"  {"minisearch",-10} p50 {r.GetProperty("p50Ms").GetDouble(),7:0.000} ms   p99 {r.GetProperty("p99Ms").GetDouble(),7:0.000} ms   " +
        $"(build {r.GetProperty("buildMs").GetDouble() / 1000:0.00} s from extracted text, JS heap {r.GetProperty("heapUsedBytes").GetDouble() / chunks:0} bytes per chunk)");
    return 0;
}
finally
{
    work.Delete(recursive: true);
}

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "ChatAdvisor.sln")))
            return dir.FullName;
    }
    throw new InvalidOperationException("ChatAdvisor.sln not found above " + AppContext.BaseDirectory);
}

internal partial class Program
{
    private static readonly string[] Queries =
    [
        "How do I define a foreign key between two models?",
        "How do I serve static files in production?",
        "What is a blueprint in Flask?",
        "How do I protect my forms against cross-site request forgery?",
        "How do I run database migrations after changing a model?",
        "How do I write a custom template tag?",
        "How can I cache a whole page?",
        "How do I send email from my application?",
        "How do I configure logging?",
        "How do users log in and log out?",
        "Where is session data stored?",
        "How do I split a long list of records into pages?",
        "How do I handle file uploads?",
        "How do I test my views?",
        "How do I translate my site into other languages?",
        "How do I run code every time a record is saved?",
        "How do I add my own management command?",
        "How do I run code on every request before the view?",
        "How do I deploy behind gunicorn?",
        "Can views be asynchronous?",
        "How do I show a list of objects with a generic view?",
        "How do I combine filters with OR in a query?",
        "Can I run raw SQL?",
        "How do I make several database writes all-or-nothing?",
        "How are time zones handled?",
        "How are passwords stored?",
        "How do I give staff members permissions?",
        "How do I customise the columns of the admin list page?",
        "What is the application factory pattern?",
        "What is the request context?",
        "How does template inheritance work?",
        "How do I load configuration from environment variables?",
        "How do I show a custom page for not found errors?",
        "How do I add commands to the command line interface?",
        "I am a novice: where do I start?",
        "My site gets lots of visitors, how do I keep it fast?",
        "Back-office screens for editing records",
        "Throwaway prototype in one file",
        "Checking that submitted data is valid",
        "Keeping secrets out of the code",
    ];
}
