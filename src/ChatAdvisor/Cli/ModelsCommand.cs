using ChatAdvisor.Core.Embeddings;
using ChatAdvisor.Hosting;

namespace ChatAdvisor.Cli;

/// <summary>
/// <c>models list</c> and <c>models download &lt;name&gt; [--dir &lt;models folder&gt;]</c>: fetch a sentence-embedding
/// model in ONNX form from the Hugging Face hub (or the mirror named by HF_ENDPOINT) for <c>Embeddings:ModelPath</c>.
/// Models go to <c>models/&lt;name&gt;</c> under the content root unless <c>--dir</c> says otherwise.
/// </summary>
public static class ModelsCommand
{
    private const string Usage = "usage: ChatAdvisor models list | models download <name> [--dir <models folder>]";

    /// <summary>Runs the command; <paramref name="args"/> are the arguments after "models". Returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var hub = Environment.GetEnvironmentVariable("HF_ENDPOINT") is { Length: > 0 } endpoint ? new Uri(endpoint.TrimEnd('/') + "/") : null;
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        return await RunAsync(args, http, hub, Console.Out, Console.Error);
    }

    internal static async Task<int> RunAsync(string[] args, HttpClient http, Uri? hub, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (args is ["list"])
        {
            foreach (var model in ModelCatalog.Models)
                await output.WriteLineAsync($"{model.Name}\t{model.Repository}");
            return 0;
        }
        if (args.Length < 2 || args[0] != "download")
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        var spec = ModelCatalog.Find(args[1]);
        if (spec is null)
        {
            await error.WriteLineAsync($"Unknown model \"{args[1]}\". Known models: {string.Join(", ", ModelCatalog.Models.Select(m => m.Name))}.");
            return 2;
        }
        var dirIndex = Array.IndexOf(args, "--dir");
        // By default models go to models/ under the content root, where a relative Embeddings:ModelPath resolves.
        var modelsFolder = dirIndex >= 0 && dirIndex + 1 < args.Length ? Path.GetFullPath(args[dirIndex + 1]) : Path.Combine(ContentRoot.Locate(), "models");

        var downloader = new ModelDownloader(http, hub);
        try
        {
            var folder = await downloader.DownloadAsync(spec, modelsFolder, new Progress(output), cancellationToken);
            await output.WriteLineAsync($"{spec.Name} is ready in {folder}.");
            await output.WriteLineAsync($"Use it with Embeddings:ModelPath={folder} (environment: Embeddings__ModelPath={folder}).");
            return 0;
        }
        catch (ModelDownloadException exception)
        {
            await error.WriteLineAsync(exception.Message);
            return 1;
        }
    }

    // Reports synchronously, in order (System.Progress<T> would post to the thread pool).
    private sealed class Progress(TextWriter output) : IProgress<string>
    {
        public void Report(string value) => output.WriteLine(value);
    }
}
