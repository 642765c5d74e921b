// Embedding throughput: snowflake-arctic-embed-xs on ONNX Runtime in this process, against two independent peers on the
// same ONNX file, token ids and batches: onnxruntime-node (benchmarks/embedding-peers, `npm ci` there first) and a
// PyTorch forward pass written on Debian's python3-torch (`apt-get install python3-torch python3-onnx`).
// The texts are what indexing the four articles embeds: every chunk, and every passage inside it.
//
// Run: dotnet run -c Release --project benchmarks/ChatAdvisor.Benchmarks [-- --runs N] [--no-torch]
// Prints texts/s and tokens/s per runtime on 1 and 2 threads (median of N runs each) and the ratios of the medians.
// PyTorch's matrix products go through the system BLAS: install libopenblas0-pthread, or Debian's reference BLAS makes
// it about 40 times slower.
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Text.Json;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Chunking;
using ChatAdvisor.Core.Embeddings;
using ChatAdvisor.Core.Retrieval;
using ChatAdvisor.Testing;

int runsAt = Array.IndexOf(args, "--runs");
int runs = runsAt >= 0 && runsAt + 1 < args.Length && int.TryParse(args[runsAt + 1], out var n) && n > 0 ? n : 5;
bool withTorch = !args.Contains("--no-torch");
var model = EmbeddingModel.FindPackaged(EmbeddingModel.ArcticEmbedXsName)!;
var tokenizer = BertTokenCounter.CreateTokenizer(model);
var builder = new IndexBuilder(new ChunkingOptions(), new BertTokenCounter(tokenizer));
var (texts, _) = IndexBuilder.EmbeddingTexts(builder.Build(Path.Combine(RepoPaths.Root, "corpus")));
long totalTokens = 0;

var work = Directory.CreateTempSubdirectory("chatadvisor-embedding-bench-");
try
{
    var modelPath = Path.Combine(work.FullName, "model.onnx");
    await File.WriteAllBytesAsync(modelPath, model.ReadGraph());
    using var probe = new OnnxEmbeddingGenerator(model, tokenizer, new EmbeddingsOptions());
    var ids = texts.Select(probe.Encode).ToArray();
    long tokens = totalTokens = ids.Sum(i => (long)i.Length);
    const int batchSize = 16;
    // The generator's own grouping: longest first, batches of similar length.
    var ordered = ids.Select((sequence, i) => (sequence, i)).OrderByDescending(p => p.sequence.Length).ThenBy(p => p.i).Select(p => p.sequence).ToArray();
    var batches = ordered.Chunk(batchSize).ToArray();
    var inputPath = Path.Combine(work.FullName, "input.json");
    await File.WriteAllTextAsync(inputPath, JsonSerializer.Serialize(new { batches, pooling = model.Pooling == EmbeddingPooling.Cls ? "cls" : "mean" }));

    Console.WriteLine($"{model.Name}: {texts.Count} texts, {tokens} tokens ({tokens / (double)texts.Count:0.0} per text), batches of {batchSize}; median of {runs} runs");
    Console.WriteLine($"{"runtime",-26} {"threads",7} {"texts/s",9} {"tokens/s",10}   .NET speed ÷ this   cosine with .NET's first vector");
    foreach (var threads in new[] { 1, 2 })
    {
        using var generator = new OnnxEmbeddingGenerator(model, tokenizer, new EmbeddingsOptions { Threads = threads, BatchSize = batchSize });
        var reference = generator.EmbedTokens([ordered[0]])[0];
        var dotnet = new List<double>();
        for (int run = 0; run < runs; run++)
        {
            var started = Stopwatch.GetTimestamp();
            generator.EmbedTokens(ids);
            dotnet.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        double ours = Median(dotnet);
        Print("ONNX Runtime .NET", threads, ours, ours, null);
        var node = await PeerAsync("node", [Path.Combine(RepoPaths.Root, "benchmarks", "embedding-peers", "ort-node.mjs"), modelPath, inputPath, threads.ToString(), runs.ToString()]);
        if (node is { } nodeResult)
            Print("onnxruntime-node", threads, Median(nodeResult.Seconds), ours, TensorPrimitives.CosineSimilarity(reference, nodeResult.First));
        if (!withTorch)
            continue;
        // OpenBLAS and OpenMP get the same thread count; OPENBLAS_CORETYPE, set on some machines to work around old
        // OpenBLAS bugs, would force a slow kernel.
        var torch = await PeerAsync("/usr/bin/python3", [Path.Combine(RepoPaths.Root, "benchmarks", "embedding-peers", "torch_bert.py"), modelPath, inputPath, threads.ToString(), runs.ToString()],
            new() { ["OPENBLAS_NUM_THREADS"] = threads.ToString(), ["OMP_NUM_THREADS"] = threads.ToString(), ["OPENBLAS_CORETYPE"] = null, ["OPENBLAS_L2_SIZE"] = null });
        if (torch is { } torchResult)
            Print("PyTorch (CPU)", threads, Median(torchResult.Seconds), ours, TensorPrimitives.CosineSimilarity(reference, torchResult.First));
    }
}
finally
{
    work.Delete(recursive: true);
}
return 0;

void Print(string runtime, int threads, double seconds, double ours, float? cosine)
    => Console.WriteLine($"{runtime,-26} {threads,7} {texts.Count / seconds,9:0.0} {totalTokens / seconds,10:0}   " +
        $"{seconds / ours,17:0.00}x   {(cosine is { } c ? c.ToString("0.000000") : "")}");

static double Median(IReadOnlyList<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static async Task<(double[] Seconds, float[] First)?> PeerAsync(string program, string[] arguments, Dictionary<string, string?>? environment = null)
{
    try
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? [])
        {
            if (value is null)
                info.Environment.Remove(name);
            else
                info.Environment[name] = value;
        }
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"  {Path.GetFileName(arguments[0])} failed ({process.ExitCode}): {error.Split('\n').LastOrDefault(l => l.Length > 0)}");
            return null;
        }
        using var result = JsonDocument.Parse(output);
        return ([.. result.RootElement.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble())],
            [.. result.RootElement.GetProperty("first").EnumerateArray().Select(e => e.GetSingle())]);
    }
    catch (System.ComponentModel.Win32Exception exception)
    {
        Console.WriteLine($"  {program} is not available: {exception.Message}");
        return null;
    }
}
