using ChatAdvisor.Core;
using ChatAdvisor.Core.Answering;
using ChatAdvisor.Core.Evaluation;
using ChatAdvisor.Core.Retrieval;
using ChatAdvisor.Core.Understanding;

namespace ChatAdvisor.Cli;

/// <summary>
/// <c>understanding</c>: how well the understanding models learn their example sets (5-fold cross-validated accuracy and
/// the labels they confuse), and on the evaluation sets, the answers' verdict accuracy with the models beside the rules
/// they replace, and the question kinds each reads.
/// </summary>
internal static class UnderstandingCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        float[] penalties = [LinearClassifier.DefaultL2];
        if (args.Length == 2 && args[0] == "--l2")
        {
            // --l2 0.01,0.05,0.2: the cross-validated accuracy at each penalty, to choose the one the models are trained with.
            penalties = [.. args[1].Split(',').Select(p => float.TryParse(p, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= 0 ? v
                : throw new CliVerbs.UsageException($"--l2 needs penalties such as 0.01,0.05,0.2, not '{p}'."))];
            args = [];
        }
        if (args.Length > 0 && args[0] != "--predict")
            throw new CliVerbs.UsageException($"unknown option '{args[0]}' for understanding.");
        await using var host = CliHost.Create(isolatedStorage: args.Length == 0);
        var index = host.Services.GetRequiredService<IndexProvider>();
        var retriever = host.Services.GetRequiredService<HybridRetriever>();
        var advisor = host.Advisor;
        var snapshot = await index.GetAsync();
        if (args.Length > 0)
        {
            // --predict "<message>" …: what each model reads in each message, with the three most probable labels.
            var models = await advisor.ModelsAsync(snapshot);
            foreach (var text in args.Skip(1))
            {
                var vector = await retriever.EmbedQueryAsync(UnderstandingModels.Readable(text, advisor.Topic));
                await output.WriteLineAsync(text);
                foreach (var (name, model) in new[] { ("kind", models.Kinds), ("verdict", models.Verdicts), ("follow-up", models.FollowUps) })
                {
                    if (model is not null)
                        await output.WriteLineAsync($"  {name,-10} {string.Join(", ", model.Predict(vector.Span).Ranked.Take(3).Select(r => $"{r.Label} {r.Probability:0.00}"))}");
                }
            }
            return 0;
        }

        foreach (var l2 in penalties)
        {
        await output.WriteLineAsync($"Example sets (5-fold cross-validation, L2 {l2}):");
        foreach (var (set, result) in await UnderstandingModels.CrossValidateAsync(index.CorpusPath, advisor.Topic, retriever, l2))
        {
            await output.WriteLineAsync($"  {set.Name,-10} {result.Accuracy:0.000}  ({result.Correct} of {result.Examples}; labels: {string.Join(", ", set.Labels.Select(l => $"{l} {set.Examples.Count(e => e.Label == l)}"))})");
            foreach (var ((expected, predicted), count) in result.Confusions.OrderByDescending(c => c.Value).Take(5))
                await output.WriteLineAsync($"      {expected} read as {predicted}: {count}");
        }
        }
        if (penalties.Length > 1)
            return 0;

        foreach (var name in new[] { "dev", "validation", "test" })
        {
            var set = EvalSet.LoadFolder(Path.Combine(host.ContentRoot, "eval", name));
            advisor.UseModels = false;
            var rules = await Evaluator.RunAsync(host.Services, set);
            advisor.UseModels = true;
            var learned = await Evaluator.RunAsync(host.Services, set);
            await output.WriteLineAsync($"eval/{name}: verdict accuracy {learned.VerdictAccuracy:0.000} with the models, {rules.VerdictAccuracy:0.000} with the rules alone ({learned.VerdictTurns} turns); follow-ups {learned.FollowUpAccuracy:0.000} against {rules.FollowUpAccuracy:0.000}");
        }
        return 0;
    }
}
