using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatAdvisor.Core.Understanding;

/// <summary>
/// One example of an example set: a message as a user would write it and its label. Follow-up acts carry the question
/// before it; verdicts carry the article sentence the label rests on.
/// </summary>
public sealed record LabelledExample
{
    /// <summary>The message.</summary>
    [JsonPropertyName("text")]
    public required string Text { get; init; }

    /// <summary>What the message is (a kind, an entity id or "depends", a follow-up act).</summary>
    [JsonPropertyName("label")]
    public required string Label { get; init; }

    /// <summary>For a follow-up act: the question asked before it.</summary>
    [JsonPropertyName("previous")]
    public string? Previous { get; init; }

    /// <summary>The article sentence, list item or table row the label rests on (verbatim).</summary>
    [JsonPropertyName("rests_on")]
    public string? RestsOn { get; init; }
}

/// <summary>
/// The examples one classifier is trained on: <c>&lt;name&gt;.jsonl</c> in the corpus folder, beside <c>topic.json</c>, one
/// JSON object a line (<see cref="LabelledExample"/>). Blank lines and lines starting with <c>//</c> are skipped.
/// </summary>
public sealed class ExampleSet
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private ExampleSet(string name, IReadOnlyList<LabelledExample> examples, string hash)
    {
        Name = name;
        Examples = examples;
        Hash = hash;
    }

    /// <summary>The set's name: its file name without <c>.jsonl</c>.</summary>
    public string Name { get; }

    /// <summary>The examples, in file order.</summary>
    public IReadOnlyList<LabelledExample> Examples { get; }

    /// <summary>The SHA-256 of the file's bytes (hex): a model trained on the set is cached under it.</summary>
    public string Hash { get; }

    /// <summary>The labels used, in ordinal order.</summary>
    public IReadOnlyList<string> Labels => [.. Examples.Select(e => e.Label).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Reads <c>&lt;name&gt;.jsonl</c> from <paramref name="folder"/>; null when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">A line is not a JSON object with a text and a label; the message names the file and line.</exception>
    public static ExampleSet? Load(string folder, string name)
    {
        var path = Path.Combine(folder, name + ".jsonl");
        if (!File.Exists(path))
            return null;
        var bytes = File.ReadAllBytes(path);
        var examples = new List<LabelledExample>();
        using var reader = new StringReader(Encoding.UTF8.GetString(bytes));
        int number = 0;
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            number++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith("//", StringComparison.Ordinal))
                continue;
            LabelledExample? example;
            try
            {
                example = JsonSerializer.Deserialize<LabelledExample>(trimmed, Json);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{name}.jsonl line {number}: not a JSON object with \"text\" and \"label\" ({e.Message}).", e);
            }
            if (example is null || string.IsNullOrWhiteSpace(example.Text) || string.IsNullOrWhiteSpace(example.Label))
                throw new InvalidDataException($"{name}.jsonl line {number}: \"text\" and \"label\" must not be empty.");
            examples.Add(example);
        }
        return new ExampleSet(name, examples, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}
