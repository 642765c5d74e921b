using System.Text.Json;

namespace ChatAdvisor.Core.Evaluation;

/// <summary>One turn of an evaluation case and what a good answer to it contains.</summary>
public sealed record EvalTurn
{
    /// <summary>The question.</summary>
    public required string Question { get; init; }

    /// <summary>Verbatim snippets of the passages that answer the question (any one counts as a hit).</summary>
    public IReadOnlyList<string> Passages { get; init; } = [];

    /// <summary>Ids of the articles expected among the citations (any one counts).</summary>
    public IReadOnlyList<string> Articles { get; init; } = [];

    /// <summary>Facts the answer must contain; "a|b" accepts either spelling. Case-insensitive.</summary>
    public IReadOnlyList<string> Facts { get; init; } = [];

    /// <summary>True when the advisor should say the articles do not cover the question.</summary>
    public bool Refuse { get; init; }

    /// <summary>
    /// The verdict the first sentence must give: an entity id, "split" (the evidence names more than one entity for the
    /// situation) or "none" (not covered). Null: the turn is not scored on its verdict.
    /// </summary>
    public string? Verdict { get; init; }

    /// <summary>The part of the question the articles do not cover ("a|b" accepts either); the answer must name it and say so.</summary>
    public string? NotCovered { get; init; }

    /// <summary>Words one of which every bullet of the answer (or the section of a passage it cites) must contain.</summary>
    public IReadOnlyList<string> About { get; init; } = [];
}

/// <summary>An evaluation case: one question or a conversation of several turns.</summary>
public sealed record EvalCase
{
    /// <summary>A short unique id.</summary>
    public required string Id { get; init; }

    /// <summary>Labels such as "recommendation", "follow-up", "typo", "out-of-scope", "paraphrase".</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The turns, asked in order in one conversation.</summary>
    public required IReadOnlyList<EvalTurn> Turns { get; init; }
}

/// <summary>The evaluation question set committed in the repository.</summary>
public sealed record EvalSet(IReadOnlyList<EvalCase> Cases)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Reads every question set file of <paramref name="folder"/> and its subfolders (*.json, in path order) as one set.</summary>
    public static EvalSet LoadFolder(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"The evaluation folder '{folder}' does not exist.");
        var cases = Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).SelectMany(f => Load(f).Cases).ToList();
        var duplicate = cases.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidDataException($"'{folder}' has two cases with the id '{duplicate.Key}'.");
        return new EvalSet(cases);
    }

    /// <summary>Reads a question set file.</summary>
    public static EvalSet Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The evaluation set '{path}' does not exist.", path);
        var cases = JsonSerializer.Deserialize<List<EvalCase>>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"'{path}' holds no cases.");
        var duplicate = cases.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidDataException($"'{path}' has two cases with the id '{duplicate.Key}'.");
        return new EvalSet(cases);
    }
}
