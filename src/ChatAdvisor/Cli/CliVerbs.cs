using System.Diagnostics;
using System.Text.Json;
using ChatAdvisor.Api;
using ChatAdvisor.Core;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Conversations;
using ChatAdvisor.Core.Retrieval;
using ChatAdvisor.Core.Evaluation;
using ChatAdvisor.Hosting;

namespace ChatAdvisor.Cli;

/// <summary>The command-line verbs of the executable: ask, chat, index, eval.</summary>
public static class CliVerbs
{
    private const string Usage = """
        ChatAdvisor — helps you choose between the options its articles compare (corpus/topic.json), citing its sources.

        Usage:
          ChatAdvisor                                   start the server (http://localhost:5080 unless ASPNETCORE_URLS says otherwise)
          ChatAdvisor ask "<question>" [--conversation <id>] [--json] [--explain]
                                                        answer one question (--json prints the /api/ask object;
                                                        --explain shows how the question was understood and what was retrieved)
          ChatAdvisor chat                              an interactive conversation in the terminal
          ChatAdvisor index [--force]                   build the index from the corpus and report what was indexed
          ChatAdvisor understanding [--predict "<message>" …]
                                                        the understanding models: their example sets' cross-validated accuracy,
                                                        and verdict accuracy on the evaluation sets beside the rules alone;
                                                        --predict shows what each model reads in the messages given
          ChatAdvisor eval [--json] [--set <file|folder>]
                                                        run the evaluation sets and print the figures: the dev set
                                                        (eval/dev) beside the held-out test set (eval/test), or one set
          ChatAdvisor models list | download <name> [--dir <folder>]   fetch an embedding model (needs internet)

        With dotnet run: dotnet run --project src/ChatAdvisor -- ask "Which framework for an ML API?"
        """;

    private static readonly string[] Verbs = ["ask", "chat", "index", "eval", "understanding", "models", "help", "--help", "-h"];

    /// <summary>True when <paramref name="arg"/> names a verb (as opposed to a host argument such as --urls).</summary>
    public static bool IsVerb(string arg) => Verbs.Contains(arg, StringComparer.Ordinal);

    /// <summary>Runs the verb in <paramref name="args"/>[0] and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, TextReader? input = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        input ??= Console.In;
        try
        {
            return args[0] switch
            {
                "ask" => await AskAsync(args[1..], output, error),
                "chat" => await ChatAsync(args[1..], output, error, input),
                "index" => await IndexAsync(args[1..], output, error),
                "eval" => await EvalAsync(args[1..], output, error),
                "understanding" => await UnderstandingCommand.RunAsync(args[1..], output),
                "models" => await ModelsCommand.RunAsync(args[1..]),
                _ => Help(output),
            };
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"error: {e.Message}\n\n{Usage}");
            return 2;
        }
        catch (DirectoryNotFoundException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    private static int Help(TextWriter output)
    {
        output.WriteLine(Usage);
        return 0;
    }

    private static async Task<int> AskAsync(string[] args, TextWriter output, TextWriter error)
    {
        string? question = null, conversation = null;
        bool json = false, explain = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--explain":
                    explain = true;
                    break;
                case "--conversation":
                    conversation = i + 1 < args.Length ? args[++i] : throw new UsageException("--conversation needs an id.");
                    break;
                case var a when a.StartsWith("--", StringComparison.Ordinal):
                    throw new UsageException($"unknown option '{a}' for ask.");
                default:
                    question = question is null ? args[i] : throw new UsageException("ask takes one question; put it in quotes.");
                    break;
            }
        }
        if (question is null)
            throw new UsageException("ask needs a question, for example: ask \"Which framework for a REST API?\"");
        if (QuestionRules.Validate(question) is { } problem)
        {
            await error.WriteLineAsync($"error: {problem}");
            return 2;
        }
        if (conversation is not null && !ConversationIds.IsValid(conversation))
        {
            await error.WriteLineAsync($"error: '{conversation}' is not a valid conversation id (1–{ConversationIds.MaxLength} characters of letters, digits and - _ . : @ ;).");
            return 2;
        }

        await using var host = CliHost.Create();
        if (explain)
            await ExplainAsync(host, question, conversation, error);
        var answer = await host.Advisor.AskAsync(question, conversation);
        if (json)
            await output.WriteLineAsync(JsonSerializer.Serialize(AskResponse.From(answer), ApiJson.Options));
        else
            await AnswerPrinter.PrintAsync(answer, output, withConversation: true);
        return 0;
    }

    private static async Task ExplainAsync(CliHost host, string question, string? conversation, TextWriter error)
    {
        var snapshot = await host.Services.GetRequiredService<IndexProvider>().GetAsync();
        var history = conversation is null ? [] : await host.Services.GetRequiredService<IConversationStore>().GetTurnsAsync(conversation);
        var (resolved, hits, evidence, _) = await host.Advisor.UnderstandAsync(question, history.Count > 0 ? history[^1].Understood.ToAnalysis(host.Advisor.Topic) : null, snapshot);
        await error.WriteLineAsync($"understood: {resolved.Resolved}");
        if (snapshot.Vectors is not null)
        {
            var retriever = host.Services.GetRequiredService<HybridRetriever>();
            var nearest = retriever.NearestSimilarity(snapshot, await retriever.EmbedQueryAsync(resolved.Text));
            await error.WriteLineAsync($"  nearest passage by meaning: {nearest:0.000}");
        }
        await error.WriteLineAsync($"  kind {resolved.Kind}; entities [{string.Join(", ", resolved.Entities)}]; use case '{resolved.UseCase}'; not covered [{string.Join(", ", resolved.Uncovered)}]; aspects [{string.Join(", ", resolved.Aspects.Select(a => a.Id))}]; terms [{string.Join(" ", resolved.Terms)}]");
        if (evidence is not null)
        {
            await error.WriteLineAsync($"  verdict {evidence.Winner ?? "none"}{(evidence.Split.Count > 0 ? " (split: " + string.Join(", ", evidence.Split) + ")" : "")}"
                + (evidence.Probabilities is { } p ? $"; verdict model: {string.Join(", ", p.Select(e => $"{e.Key} {e.Value:0.00}"))}" : "; from the claims"));
            foreach (var (entity, claims) in evidence.Best)
            {
                await error.WriteLineAsync($"    {entity,-10} standing {(evidence.Standings.TryGetValue(entity, out var standing) ? standing : double.NaN):0.000}");
                foreach (var c in claims.Take(4))
                    await error.WriteLineAsync($"    {entity,-10} {c.Score:0.000} {c.Claim.Kind,-11} {c.Claim.Condition[..Math.Min(80, c.Claim.Condition.Length)].ReplaceLineEndings(" ")}");
            }
        }
        foreach (var (hit, rank) in hits.Select((h, i) => (h, i + 1)))
            await error.WriteLineAsync($"  {rank}. {hit.Score:0.00} {hit.Chunk.DocumentId} #{hit.Chunk.Index} [{hit.Chunk.Section}] {hit.Chunk.Text[..Math.Min(90, hit.Chunk.Text.Length)].ReplaceLineEndings(" ")}…");
    }

    private static async Task<int> ChatAsync(string[] args, TextWriter output, TextWriter error, TextReader input)
    {
        if (args.Length > 0)
            throw new UsageException("chat takes no arguments.");
        await using var host = CliHost.Create();
        var color = !Console.IsOutputRedirected && output == Console.Out;
        var topic = host.Advisor.Topic;
        await output.WriteLineAsync(AnswerPrinter.Style("ChatAdvisor", "1", color) + $" — ask about {topic.JoinNames(topic.EntityIds)}. Follow-ups keep the context.");
        await output.WriteLineAsync(AnswerPrinter.Style("Commands: /new starts a new conversation, /quit leaves. Try: " + topic.StarterQuestions.FirstOrDefault(), "2", color));
        string conversation = ConversationIds.New();
        while (true)
        {
            await output.WriteAsync(AnswerPrinter.Style("\nyou › ", "36;1", color));
            var line = await input.ReadLineAsync();
            if (line is null || line.Trim() is "/quit" or "/exit" or "/q")
                break;
            line = line.Trim();
            if (line.Length == 0)
                continue;
            if (line == "/new")
            {
                conversation = ConversationIds.New();
                await output.WriteLineAsync(AnswerPrinter.Style("New conversation.", "2", color));
                continue;
            }
            if (QuestionRules.Validate(line) is { } problem)
            {
                await error.WriteLineAsync(problem);
                continue;
            }
            var answer = await host.Advisor.AskAsync(line, conversation);
            await output.WriteLineAsync();
            await AnswerPrinter.PrintAsync(answer, output, withConversation: false, color);
        }
        return 0;
    }

    private static async Task<int> IndexAsync(string[] args, TextWriter output, TextWriter error)
    {
        bool force = args.Contains("--force");
        if (args.Any(a => a != "--force"))
            throw new UsageException($"unknown option '{args.First(a => a != "--force")}' for index.");
        await using var host = CliHost.Create();
        var provider = host.Services.GetRequiredService<IndexProvider>();
        await output.WriteLineAsync($"Indexing {provider.CorpusPath} …");
        int lastReported = 0;
        var progress = new SynchronousProgress<(int Done, int Total)>(p =>
        {
            if (p.Total >= 50 && (p.Done - lastReported >= Math.Max(1, p.Total / 20) || p.Done == p.Total))
            {
                lastReported = p.Done;
                error.WriteLine($"  {p.Done}/{p.Total} files");
            }
        });
        // Embedding is the slow part on a large corpus: a bar that fills in twentieths, with the rate so far.
        var embedClock = Stopwatch.StartNew();
        int lastBar = -1;
        var embedded = new SynchronousProgress<(int Done, int Total)>(p =>
        {
            int bar = p.Total == 0 ? 20 : p.Done * 20 / p.Total;
            if (p.Total < 200 || bar == lastBar)
                return;
            lastBar = bar;
            var rate = p.Done / Math.Max(0.001, embedClock.Elapsed.TotalSeconds);
            error.WriteLine($"  embedding [{new string('#', bar)}{new string('.', 20 - bar)}] {p.Done}/{p.Total} texts (chunks and passages), {rate:0} texts/s");
        });
        var stopwatch = Stopwatch.StartNew();
        var snapshot = await provider.RebuildAsync(force, progress, embedded);
        stopwatch.Stop();

        foreach (var (article, _, chunks) in snapshot.Articles)
        {
            var by = string.Join(", ", new[] { article.Author, article.Publisher }.Where(s => s is not null));
            await output.WriteLineAsync($"  {article.SourceFile}: \"{article.Title}\"{(by.Length > 0 ? " (" + by + ")" : "")} — {article.Sections.Count} sections, {chunks.Count} chunks");
        }
        foreach (var skipped in snapshot.Skipped)
            await output.WriteLineAsync($"  skipped {skipped.File}: {skipped.Problem}");
        var how = snapshot.Built.FromCache ? "unchanged, loaded from cache" : $"built in {snapshot.Built.Duration.TotalMilliseconds:0} ms";
        await output.WriteLineAsync($"{snapshot.Articles.Count} articles, {snapshot.Chunks.Count} chunks, {snapshot.Lexical.TermCount} terms ({how}); cache: {provider.CachePath}");
        // The understanding models are trained with the index and cached beside it, so a server started on this storage
        // folder is ready at once.
        var understanding = await host.Advisor.WarmUpAsync();
        await output.WriteLineAsync($"understanding: {understanding}");
        return snapshot.Articles.Count > 0 ? 0 : 1;
    }

    private static async Task<int> EvalAsync(string[] args, TextWriter output, TextWriter error)
    {
        bool json = false;
        string? setFile = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--json":
                    json = true;
                    break;
                case "--set":
                    setFile = i + 1 < args.Length ? args[++i] : throw new UsageException("--set needs a question set file or folder, for example eval/test.");
                    break;
                default:
                    throw new UsageException($"unknown option '{args[i]}' for eval.");
            }
        }
        static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);
        // A relative path is read from the working directory, or else from the repository root.
        if (setFile is not null && !Exists(setFile) && !Path.IsPathRooted(setFile))
            setFile = Path.Combine(Hosting.ContentRoot.Locate(), setFile);
        if (setFile is not null && !Exists(setFile))
        {
            await error.WriteLineAsync($"error: the question set '{setFile}' does not exist.");
            return 2;
        }
        await using var host = CliHost.Create(isolatedStorage: true);
        // Without --set: the dev set, tuned on; the validation set, which a change measured on dev must not lower; and the
        // held-out test set, which is never tuned on.
        var sets = setFile is not null
            ? [(Path.GetFileName(setFile.TrimEnd('/', '\\')), Directory.Exists(setFile) ? EvalSet.LoadFolder(Path.GetFullPath(setFile)) : EvalSet.Load(Path.GetFullPath(setFile)))]
            : new List<(string Name, EvalSet Set)>
            {
                ("dev", EvalSet.LoadFolder(Path.Combine(host.ContentRoot, "eval", "dev"))),
                ("validation", EvalSet.LoadFolder(Path.Combine(host.ContentRoot, "eval", "validation"))),
                ("test (held-out)", EvalSet.LoadFolder(Path.Combine(host.ContentRoot, "eval", "test"))),
            };
        var reports = new Dictionary<string, EvalReport>();
        foreach (var (name, set) in sets)
            reports[name] = await Evaluator.RunAsync(host.Services, set);
        // Beside the dev set, the held-out set shows its figures only: reading its misses would be tuning on it.
        if (setFile is null)
            reports["test (held-out)"] = reports["test (held-out)"].WithoutMisses();
        if (json)
        {
            object shown = reports.Count == 1 ? reports.Values.First() : reports;
            await output.WriteLineAsync(JsonSerializer.Serialize(shown, new JsonSerializerOptions(ApiJson.Options) { WriteIndented = true }));
        }
        else
        {
            foreach (var (name, report) in reports)
            {
                if (reports.Count > 1)
                    await output.WriteLineAsync($"== {name} ==");
                await report.PrintAsync(output);
            }
        }
        return reports.Values.All(r => r.Failures.Count == 0) ? 0 : 1;
    }

    internal sealed class UsageException(string message) : Exception(message);

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
