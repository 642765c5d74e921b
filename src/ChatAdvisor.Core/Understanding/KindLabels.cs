namespace ChatAdvisor.Core.Understanding;

/// <summary>The labels of the question-kind example set (<c>kinds.jsonl</c>).</summary>
public static class KindLabels
{
    /// <summary>Which entity for a described situation or need.</summary>
    public const string Recommend = "recommend";

    /// <summary>How entities compare on an aspect, or which rates best or worst on a feature.</summary>
    public const string Compare = "compare";

    /// <summary>Advantages and disadvantages of an entity.</summary>
    public const string ProsCons = "proscons";

    /// <summary>A fact with a definite answer: who, when, does it have, can it do.</summary>
    public const string Fact = "fact";

    /// <summary>What a term means.</summary>
    public const string Definition = "definition";

    /// <summary>Nothing to do with what the articles compare.</summary>
    public const string OutOfScope = "outofscope";

    /// <summary>A task to do (write code, a query, a text) rather than a question about the articles.</summary>
    public const string Task = "task";

    /// <summary>The probability from which a kind decision is acted on.</summary>
    public const double Sure = 0.5;

    /// <summary>The probability from which a question that names nothing the articles compare is declined as off-topic.</summary>
    public const double SureOffTopic = 0.9;

    /// <summary>The probability from which a message is declined as a task: a question wrongly declined costs more than a task answered.</summary>
    public const double SureOfTask = 0.75;
}
