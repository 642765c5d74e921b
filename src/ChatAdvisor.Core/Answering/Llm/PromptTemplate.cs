using System.Text;
using System.Xml;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace ChatAdvisor.Core.Answering.Llm;

/// <summary>
/// A prompt file in Semantic Kernel's template syntax: text with <c>{{$name}}</c> placeholders (spaces inside the braces
/// allowed), parsed and checked by Semantic Kernel's <see cref="KernelPromptTemplateFactory"/>. Immutable and thread-safe.
/// </summary>
public sealed class PromptTemplate
{
    private static readonly KernelPromptTemplateFactory Factory = new();

    // Renders templates during the start-up check: it has no plugins, so a function call in a prompt fails there.
    private static readonly Kernel CheckingKernel = new();

    private PromptTemplate(string name, string filePath, string text, IReadOnlySet<string> placeholders)
    {
        Name = name;
        FilePath = filePath;
        Text = text;
        Placeholders = placeholders;
    }

    /// <summary>The template's name (the file name without extension).</summary>
    public string Name { get; }

    /// <summary>The file the template was read from.</summary>
    public string FilePath { get; }

    /// <summary>The template text as written.</summary>
    public string Text { get; }

    /// <summary>The placeholder names the template uses, as Semantic Kernel's parser finds them.</summary>
    public IReadOnlySet<string> Placeholders { get; }

    /// <summary>
    /// Parses <paramref name="text"/> with Semantic Kernel. Every <c>{{ … }}</c> block must be a <c>$name</c> in
    /// <paramref name="allowed"/>, and every name in <paramref name="required"/> must appear.
    /// </summary>
    /// <exception cref="PromptTemplateException">The template uses an unknown placeholder, lacks a required one or is malformed; the message names the file.</exception>
    public static PromptTemplate Parse(string name, string filePath, string text, IReadOnlySet<string> allowed, IReadOnlySet<string> required)
    {
        var config = new PromptTemplateConfig(text) { Name = name };
        IPromptTemplate template;
        try
        {
            template = Factory.Create(config);
        }
        catch (KernelException exception)
        {
            throw new PromptTemplateException(filePath, $"the template cannot be parsed: {exception.Message}");
        }

        // The factory lists every variable the template reads in the config's input variables.
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var variable in config.InputVariables.Select(v => v.Name))
        {
            if (!allowed.Contains(variable))
            {
                var known = allowed.Count == 0 ? "none" : string.Join(", ", allowed.Order().Select(a => "$" + a));
                throw new PromptTemplateException(filePath, $"unknown placeholder {{{{${variable}}}}}; this prompt can use: {known}.");
            }
            used.Add(variable);
        }
        foreach (var requiredName in required.Order())
        {
            if (!used.Contains(requiredName))
                throw new PromptTemplateException(filePath, $"the placeholder {{{{${requiredName}}}}} is required and missing.");
        }

        // Rendering once with sample values finds what the variable list cannot show: a function call fails (there are
        // no plugins), and a '{{' that is still there afterwards was never closed.
        var sample = new KernelArguments();
        foreach (var variable in used)
            sample[variable] = "x";
        string rendered;
        try
        {
            rendered = template.RenderAsync(CheckingKernel, sample).GetAwaiter().GetResult();
        }
        catch (Exception exception) when (exception is KernelException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new PromptTemplateException(filePath, $"only {{{{$name}}}} placeholders are supported ({exception.Message}).");
        }
        if (rendered.Contains("{{", StringComparison.Ordinal))
            throw new PromptTemplateException(filePath, "a '{{' is not closed by '}}', or is not a {{$name}} placeholder.");
        return new PromptTemplate(name, filePath, text, used);
    }
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
/// <c>system.txt</c>, <c>answer.txt</c>, <c>rewrite.txt</c> and <c>suggestions.txt</c>, and the Semantic Kernel
/// functions made of them. Immutable and thread-safe.
/// </summary>
public sealed class PromptLibrary
{
    /// <summary>The placeholders each prompt may use; those marked required must appear.</summary>
    internal static readonly IReadOnlyDictionary<string, (string[] Allowed, string[] Required)> Schema =
        new Dictionary<string, (string[], string[])>
        {
            ["system"] = (["topic"], []),
            ["answer"] = (["question", "sources", "history", "topic"], ["question", "sources"]),
            ["rewrite"] = (["question", "history", "topic"], ["question", "history"]),
            ["suggestions"] = (["question", "sources", "count", "topic"], ["question"]),
        };

    private PromptLibrary(IReadOnlyDictionary<string, PromptTemplate> templates)
    {
        System = templates["system"];
        Answer = templates["answer"];
        Rewrite = templates["rewrite"];
        Suggestions = templates["suggestions"];
        AnswerFunction = ChatPrompt.CreateFunction("answer", (ChatRole.System, System), (ChatRole.User, Answer));
        RewriteFunction = ChatPrompt.CreateFunction("rewrite", (ChatRole.User, Rewrite));
        SuggestionsFunction = ChatPrompt.CreateFunction("suggestions", (ChatRole.User, Suggestions));
    }

    /// <summary>The system message: who the advisor is and the rules it follows.</summary>
    public PromptTemplate System { get; }

    /// <summary>The answer request: numbered sources, the conversation so far and the question.</summary>
    public PromptTemplate Answer { get; }

    /// <summary>Turns a follow-up into a standalone search query using the conversation.</summary>
    public PromptTemplate Rewrite { get; }

    /// <summary>Asks for follow-up questions the sources can answer.</summary>
    public PromptTemplate Suggestions { get; }

    /// <summary>The system message and the answer request, as one prompt function.</summary>
    internal KernelFunction AnswerFunction { get; }

    /// <summary>The rewrite request as a prompt function.</summary>
    internal KernelFunction RewriteFunction { get; }

    /// <summary>The suggestions request as a prompt function.</summary>
    internal KernelFunction SuggestionsFunction { get; }

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

/// <summary>
/// Makes Semantic Kernel prompt functions of prompt files: each file becomes one <c>&lt;message role="…"&gt;</c> of a
/// chat prompt, which Semantic Kernel renders and splits into chat messages.
/// </summary>
/// <remarks>
/// Values are HTML-encoded when rendered (Semantic Kernel's default: <c>AllowDangerouslySetContent</c> stays off) and
/// decoded again when the rendered prompt is split into messages. So a question or a passage reaches the model as the
/// plain text it was, never re-parsed as a placeholder, and a <c>&lt;message&gt;</c> tag typed into a question is only
/// text inside the user message, never a message of its own.
/// </remarks>
internal static class ChatPrompt
{
    private static readonly KernelPromptTemplateFactory Factory = new();

    /// <summary>A prompt function whose messages are <paramref name="messages"/>, in order.</summary>
    public static KernelFunction CreateFunction(string name, params (ChatRole Role, PromptTemplate Template)[] messages)
    {
        var text = new StringBuilder();
        foreach (var (role, template) in messages)
        {
            // The file's own text is escaped, so '<' or '&' written in a prompt stay plain text too.
            text.Append("<message role=\"").Append(role.Value).Append("\">")
                .Append(EscapeXml(template.Text.Trim()))
                .Append("</message>\n");
        }
        return KernelFunctionFactory.CreateFromPrompt(new PromptTemplateConfig(text.ToString()) { Name = name }, Factory);
    }

    /// <summary>The arguments of one call: <paramref name="values"/> for the placeholders and the call's settings.</summary>
    public static KernelArguments Arguments(IReadOnlyDictionary<string, string> values, PromptExecutionSettings settings)
    {
        var arguments = new KernelArguments(settings);
        foreach (var (name, value) in values)
            arguments[name] = XmlSafe(value);
        return arguments;
    }

    private static string EscapeXml(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);

    // A character XML cannot hold (a stray control character in a passage) would make the chat prompt unreadable as a
    // whole; it is dropped instead.
    private static string XmlSafe(string value)
    {
        var clean = true;
        for (var i = 0; i < value.Length && clean; i++)
            clean = XmlConvert.IsXmlChar(value[i]) || (i + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[i + 1], value[i]) && ++i > 0);
        if (clean)
            return value;
        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (XmlConvert.IsXmlChar(value[i]))
                text.Append(value[i]);
            else if (i + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[i + 1], value[i]))
                text.Append(value, i++, 2);
        }
        return text.ToString();
    }
}
