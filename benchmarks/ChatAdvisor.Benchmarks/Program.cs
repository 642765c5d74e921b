using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ChatAdvisor.Core.Embeddings;
using ChatAdvisor.Testing;

// Usage: dotnet run -c Release --project benchmarks/ChatAdvisor.Benchmarks [-- --runs 5 --texts 96 --model <folder>]
// Prints texts/s of the C# encoder and of onnxruntime-node (one thread) on the same generated model and token ids,
// their ratio, and tokens/s against the machine's arithmetic peak. Medians over --runs timed passes.
var runs = IntArgument("--runs", 5);
var textCount = IntArgument("--texts", 96);
var modelFolder = StringArgument("--model") ?? Path.Combine(RepoPaths.Root, "artifacts", "bench-model");
var shared = RepoPaths.Shared;
var vocabulary = Path.Combine(shared, "models", "all-MiniLM-L6-v2", "vocab.txt");
var encoderTools = Path.Combine(RepoPaths.Root, "tools", "golden", "encoder");

Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {CpuName()}");
if (!File.Exists(Path.Combine(modelFolder, "model.safetensors")))
{
    Console.WriteLine($"writing the generated model into {modelFolder}…");
    GeneratedBertModel.Write(modelFolder, vocabulary);
}
// The committed ONNX graph of the same model; its weights are read from model.safetensors beside it.
File.Copy(Path.Combine(RepoPaths.Root, "tests", "ChatAdvisor.Core.Tests", "Embeddings", "Golden", "generated-model.onnx"),
    Path.Combine(modelFolder, "model.onnx"), overwrite: true);

using var generator = BertEmbeddingGenerator.Load(modelFolder);
var texts = BenchmarkTexts(textCount);
var inputs = texts.Select(t => generator.Tokenizer.Encode(t, generator.MaxTokens).Ids).ToList();
var tokens = inputs.Sum(ids => ids.Length);
var inputsPath = Path.Combine(modelFolder, "bench-inputs.json");
File.WriteAllText(inputsPath, JsonSerializer.Serialize(inputs));
Console.WriteLine($"inputs: {inputs.Count} texts of the Django/Flask documentation and the corpus, {tokens} tokens, mean {tokens / (double)inputs.Count:F1} tokens/text");
Console.WriteLine($"model: bge-micro-v2 shape, {generator.Config.LayerCount} layers, hidden {generator.Config.HiddenSize}, {generator.Config.HeadCount} heads, intermediate {generator.Config.IntermediateSize}");

// The machine is shared, so its load drifts: C# and onnxruntime passes alternate, and each pair gives a ratio.
var canRunOrt = File.Exists(Path.Combine(modelFolder, "model.onnx"));
if (canRunOrt && !Directory.Exists(Path.Combine(encoderTools, "node_modules")))
    Run("npm", ["ci", "--no-audit", "--no-fund"], encoderTools);
generator.EmbedTokens(inputs.Take(4).ToList());
var csharp = new List<double>();
var csharpCpu = new List<double>();
var batched = new List<double>();
var ortFigures = new List<double>();
var ortCpu = new List<double>();
var ratios = new List<double>();
var cpuRatios = new List<double>();
using var self = Process.GetCurrentProcess();
string? ortFailure = canRunOrt ? null : "no model.onnx";
for (var run = 0; run < runs; run++)
{
    // C#: one text per call, as onnxruntime is driven, on this thread.
    self.Refresh();
    var cpuStart = self.TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    foreach (var ids in inputs)
        generator.EmbedTokens([ids]);
    csharp.Add(inputs.Count / watch.Elapsed.TotalSeconds);
    self.Refresh();
    // CPU time of the process: on a shared machine it does not count the time other programs held the core.
    csharpCpu.Add(inputs.Count / (self.TotalProcessorTime - cpuStart).TotalSeconds);
    watch.Restart();
    generator.EmbedTokens(inputs);
    batched.Add(inputs.Count / watch.Elapsed.TotalSeconds);
    if (ortFailure is not null)
        continue;
    var node = Run("node", ["ort-run.mjs", "bench", modelFolder, inputsPath, "1"], encoderTools);
    var line = node.Output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
    if (node.ExitCode != 0 || line is null)
    {
        ortFailure = "ort-run.mjs failed\n" + node.Output;
        continue;
    }
    using var result = JsonDocument.Parse(line);
    var figure = result.RootElement.GetProperty("textsPerSecond")[0].GetDouble();
    var cpuFigure = result.RootElement.GetProperty("textsPerCpuSecond")[0].GetDouble();
    ortFigures.Add(figure);
    ortCpu.Add(cpuFigure);
    ratios.Add(csharp[^1] / figure);
    cpuRatios.Add(csharpCpu[^1] / cpuFigure);
}
Report("C# encoder, one text per call, 1 thread", csharp);
Report("C# encoder, one text per call, per CPU-second", csharpCpu);
Report($"C# encoder, packed batches of {generator.BatchSize}, 1 thread", batched);
double? ort = null;
if (ortFailure is null)
{
    Report("onnxruntime-node, one text per call, intra-op threads 1", ortFigures);
    Report("onnxruntime-node, one text per call, per CPU-second", ortCpu);
    ort = Median(ortFigures);
    Console.WriteLine($"ratio C#/onnxruntime (wall clock): median of paired runs {Median(ratios):F2} " +
        $"(pairs: {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}); target >= 0.5");
    Console.WriteLine($"ratio C#/onnxruntime (CPU time):   median of paired runs {Median(cpuRatios):F2} " +
        $"(pairs: {string.Join(", ", cpuRatios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))})");
}
else
{
    Console.WriteLine($"onnxruntime: not run: {ortFailure}");
}

var meanLength = tokens / (double)inputs.Count;
var config = generator.Config;
// Attention adds 4·L·hidden FLOPs per token per layer (scores and weighted sum) for a text of L tokens.
var flopsPerToken = config.FlopsPerToken + 4.0 * config.LayerCount * meanLength * config.HiddenSize;
// Against the peak, per CPU-second: wall-clock figures on a loaded machine measure the other programs too.
var tokensPerSecond = Median(csharpCpu) * meanLength;
var ghz = CpuGhz();
var peak = 32.0 * ghz * 1e9; // one core: 2 FMA pipes × 8 float32 lanes × 2 FLOPs per cycle (AVX2)
Console.WriteLine($"FLOPs per token: {flopsPerToken / 1e6:F2} M ({config.FlopsPerToken / 1e6:F2} M in the linear layers + attention at the mean length)");
Console.WriteLine($"C# tokens per CPU-second: {tokensPerSecond:F0} = {tokensPerSecond * flopsPerToken / 1e9:F1} GFLOP/s; one-core peak at {ghz:F2} GHz = {peak / 1e9:F1} GFLOP/s -> {100 * tokensPerSecond * flopsPerToken / peak:F0}% of peak");
if (ortCpu.Count > 0)
{
    var o = Median(ortCpu) * meanLength;
    Console.WriteLine($"onnxruntime tokens per CPU-second: {o:F0} = {o * flopsPerToken / 1e9:F1} GFLOP/s -> {100 * o * flopsPerToken / peak:F0}% of peak");
}

var realModel = Environment.GetEnvironmentVariable("CHATADVISOR_MINILM_PATH") is { Length: > 0 } configured
    ? configured
    : Path.Combine(RepoPaths.Root, "models", "all-MiniLM-L6-v2");
if (File.Exists(Path.Combine(realModel, "model.safetensors")))
{
    using var miniLm = BertEmbeddingGenerator.Load(realModel);
    var watch = Stopwatch.StartNew();
    miniLm.Embed(texts);
    Console.WriteLine($"real all-MiniLM-L6-v2 at {realModel}: {texts.Count / watch.Elapsed.TotalSeconds:F1} texts/s (packed batches)");
}
else
{
    Console.WriteLine($"real all-MiniLM-L6-v2: not run: no model at {realModel} (ChatAdvisor models download all-MiniLM-L6-v2)");
}
return 0;

static void Report(string name, List<double> figures) =>
    Console.WriteLine($"{name}: median {Median(figures):F1} texts/s (runs: {string.Join(", ", figures.Select(f => f.ToString("F1", CultureInfo.InvariantCulture)))})");

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

// Paragraphs of the encoder golden set and the corpus: chunk-sized English technical text.
static List<string> BenchmarkTexts(int count)
{
    using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "ChatAdvisor.Core.Tests", "Embeddings", "Golden", "wordpiece-golden.json")));
    var paragraphs = golden.RootElement.GetProperty("cases").EnumerateArray()
        .Where(c => c.GetProperty("source").GetString() != "edge")
        .Select(c => c.GetProperty("text").GetString()!)
        .Where(t => t.Length >= 200)
        .ToList();
    var step = Math.Max(1, paragraphs.Count / count);
    return [.. paragraphs.Where((_, i) => i % step == 0).Take(count)];
}

static (int ExitCode, string Output) Run(string file, string[] arguments, string directory)
{
    var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var argument in arguments)
        start.ArgumentList.Add(argument);
    try
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
    catch (System.ComponentModel.Win32Exception exception)
    {
        return (-1, $"{file}: {exception.Message}");
    }
}

static string CpuName() => File.Exists("/proc/cpuinfo")
    ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
    : "unknown CPU";

static double CpuGhz()
{
    var mhz = File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
        : null;
    return mhz is not null && double.TryParse(mhz, CultureInfo.InvariantCulture, out var value) ? value / 1000 : 2.0;
}

int IntArgument(string name, int fallback) => StringArgument(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

string? StringArgument(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
