namespace ChatAdvisor.Core.Answering;

/// <summary>The rules every channel applies to a question before asking the advisor.</summary>
public static class QuestionRules
{
    /// <summary>The longest question accepted, in characters.</summary>
    public const int MaxLength = 4000;

    /// <summary>Returns a message for the user when the question cannot be asked, or null when it is fine.</summary>
    public static string? Validate(string? question)
    {
        if (string.IsNullOrWhiteSpace(question))
            return "The question is empty. Ask something like \"Which framework should I use for a REST API?\".";
        if (question.Length > MaxLength)
            return $"The question is {question.Length} characters long; the limit is {MaxLength}.";
        return null;
    }
}

/// <summary>Thrown when a question breaks <see cref="QuestionRules"/>; its message is safe to show to the user.</summary>
public sealed class InvalidQuestionException(string message) : Exception(message);
