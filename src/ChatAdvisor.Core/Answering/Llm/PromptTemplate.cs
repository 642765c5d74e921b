using System.Text;
using System.Text.RegularExpressions;

namespace ChatAdvisor.Core.Answering.Llm;

/// <summary>
/// A prompt file in Semantic Kernel's template syntax: text with <c>{{$name}}</c> placeholders
/// (spaces inside the braces allowed). Immutable and thread-safe.
/// </summary>
public sealed partial class PromptTemplate
{
    private readonly string _text;

    private PromptTemplate(string name, string filePath, string text, IReadOnlySet<string> placeholders)
    {
        Name = name;
        FilePath = filePath;
        _text = text;
        Placeholders = placeholders;
    }

    /// <summary>The template's name (the file name without extension).</summary>
    public string Name { get; }

    /// <summary>The file the template was read from.</summary>
    public string FilePath { get; }

    /// <summary>The placeholder names the template uses.</summary>
    public IReadOnlySet<string> Placeholders { get; }

    /// <summary>
    /// Parses <paramref name="text"/>. Every <c>{{ … }}</c> block must be a <c>$name</c> in <paramref name="allowed"/>,
    /// and every name in <paramref name="required"/> must appear.
    /// </summary>
    /// <exception cref="PromptTemplateException">The template uses an unknown placeholder, lacks a required one or is malformed; the message names the file.</exception>
    public static PromptTemplate Parse(string name, string filePath, string text, IReadOnlySet<string> allowed, IReadOnlySet<string> required)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match block in BlockPattern().Matches(text))
        {
            var inner = block.Groups["inner"].Value.Trim();
            var variable = VariablePattern().Match(inner);
            if (!variable.Success)
                throw new PromptTemplateException(filePath, $"'{block.Value}' is not a {{{{$name}}}} placeholder; only variables are supported.");
            var variableName = variable.Groups["name"].Value;
            if (!allowed.Contains(variableName))
            {
                var known = allowed.Count == 0 ? "none" : string.Join(", ", allowed.Order().Select(a => "$" + a));
                throw new PromptTemplateException(filePath, $"unknown placeholder {{{{${variableName}}}}}; this prompt can use: {known}.");
            }
            used.Add(variableName);
        }

        // A "{{" left after removing the well-formed blocks is an unterminated placeholder.
        if (BlockPattern().Replace(text, "").Contains("{{", StringComparison.Ordinal))
            throw new PromptTemplateException(filePath, "a '{{' is not closed by '}}'.");

        foreach (var requiredName in required.Order())
        {
            if (!used.Contains(requiredName))
                throw new PromptTemplateException(filePath, $"the placeholder {{{{${requiredName}}}}} is required and missing.");
        }
        return new PromptTemplate(name, filePath, text, used);
    }

    /// <summary>The template with each placeholder replaced by its value; values are inserted as they are, never re-parsed.</summary>
    /// <exception cref="ArgumentException">A placeholder of the template has no value.</exception>
    public string Render(IReadOnlyDictionary<string, string> values)
    {
        var missing = Placeholders.FirstOrDefault(p => !values.ContainsKey(p));
        if (missing is not null)
            throw new ArgumentException($"No value for {{{{${missing}}}}} in prompt '{Name}'.", nameof(values));
        var result = BlockPattern().Replace(_text, m => values[VariablePattern().Match(m.Groups["inner"].Value.Trim()).Groups["name"].Value]);
        return result.Trim();
    }

    [GeneratedRegex(@"\{\{(?<inner>[^{}]*)\}\}")]
    private static partial Regex BlockPattern();

    [GeneratedRegex(@"^\$(?<name>[A-Za-z_][A-Za-z0-9_]*)$")]
    private static partial Regex VariablePattern();
}

/// <summary>A prompt file that cannot be used; the message names the file and the problem.</summary>
public sealed class PromptTemplateException(string filePath, string problem)
    : Exception($"Prompt template {filePath}: {problem}")
{
    /// <summary>The file at fault.</summary>
    public string FilePath { get; } = filePath;
}

/// <summary>
/// The four prompts the language-model answerer uses, loaded from a folder (<c>prompts/</c>):
/// <c>system.txt</c>, <c>answer.txt</c>, <c>rewrite.txt</c> and <c>suggestions.txt</c>. Immutable and thread-safe.
/// </summary>
public sealed class PromptLibrary
{
    /// <summary>The placeholders each prompt may use; those marked required must appear.</summary>
    internal static readonly IReadOnlyDictionary<string, (string[] Allowed, string[] Required)> Schema =
        new Dictionary<string, (string[], string[])>
        {
            ["system"] = ([], []),
            ["answer"] = (["question", "sources", "history"], ["question", "sources"]),
            ["rewrite"] = (["question", "history"], ["question", "history"]),
            ["suggestions"] = (["question", "sources", "count"], ["question"]),
        };

    private PromptLibrary(IReadOnlyDictionary<string, PromptTemplate> templates)
    {
        System = templates["system"];
        Answer = templates["answer"];
        Rewrite = templates["rewrite"];
        Suggestions = templates["suggestions"];
    }

    /// <summary>The system message: who the advisor is and the rules it follows.</summary>
    public PromptTemplate System { get; }

    /// <summary>The answer request: numbered sources, the conversation so far and the question.</summary>
    public PromptTemplate Answer { get; }

    /// <summary>Turns a follow-up into a standalone search query using the conversation.</summary>
    public PromptTemplate Rewrite { get; }

    /// <summary>Asks for follow-up questions the sources can answer.</summary>
    public PromptTemplate Suggestions { get; }

    /// <summary>Loads and checks every prompt in <paramref name="folder"/>.</summary>
    /// <exception cref="PromptTemplateException">A prompt is missing, unreadable or uses an unknown placeholder.</exception>
    public static PromptLibrary Load(string folder)
    {
        var templates = new Dictionary<string, PromptTemplate>(StringComparer.Ordinal);
        foreach (var (name, (allowed, required)) in Schema)
        {
            var path = Path.Combine(folder, name + ".txt");
            if (!File.Exists(path))
                throw new PromptTemplateException(path, "the file is missing.");
            var text = File.ReadAllText(path, Encoding.UTF8);
            templates[name] = PromptTemplate.Parse(name, path, text, allowed.ToHashSet(StringComparer.Ordinal), required.ToHashSet(StringComparer.Ordinal));
        }
        return new PromptLibrary(templates);
    }
}
