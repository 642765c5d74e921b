namespace ChatAdvisor.Core.Answering;

/// <summary>The frameworks the advisor knows about.</summary>
public enum Framework
{
    /// <summary>Django.</summary>
    Django,
    /// <summary>Flask.</summary>
    Flask,
    /// <summary>FastAPI.</summary>
    FastApi,
}

/// <summary>Names and recognition of <see cref="Framework"/>s.</summary>
public static class Frameworks
{
    /// <summary>All frameworks in a fixed order.</summary>
    public static readonly IReadOnlyList<Framework> All = [Framework.Django, Framework.Flask, Framework.FastApi];

    /// <summary>The framework's usual spelling.</summary>
    public static string Name(this Framework framework) => framework switch
    {
        Framework.Django => "Django",
        Framework.Flask => "Flask",
        _ => "FastAPI",
    };

    /// <summary>The framework a search term or word names, if any ("fastapi", "django", "flask").</summary>
    public static Framework? FromTerm(string term) => term switch
    {
        "django" => Framework.Django,
        "flask" => Framework.Flask,
        "fastapi" => Framework.FastApi,
        _ => null,
    };

    /// <summary>The frameworks named in <paramref name="text"/>, in order of first mention.</summary>
    public static IReadOnlyList<Framework> MentionedIn(ReadOnlySpan<char> text)
    {
        var found = new List<Framework>();
        foreach (var term in Retrieval.TextAnalyzer.Terms(text))
        {
            if (FromTerm(term) is { } f && !found.Contains(f))
                found.Add(f);
        }
        return found;
    }
}
