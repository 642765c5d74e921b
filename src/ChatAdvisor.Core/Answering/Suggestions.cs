namespace ChatAdvisor.Core.Answering;

/// <summary>Follow-up questions offered after an answer; each is one the advisor can answer from the articles.</summary>
public static class Suggestions
{
    /// <summary>Up to three follow-ups that fit the question just answered.</summary>
    public static IReadOnlyList<string> After(QuestionAnalysis question, Framework? recommended)
    {
        var list = new List<string>();
        var focus = recommended ?? (question.Frameworks.Count > 0 ? question.Frameworks[0] : (Framework?)null);
        var aspect = question.Aspects.FirstOrDefault(a => a.Id is not "history");

        switch (question.Kind)
        {
            case QuestionKind.Recommendation when focus is { } f:
                list.Add($"What are the disadvantages of {f.Name()}?");
                list.Add($"Why not {Other(f).Name()}?");
                if (aspect is not null)
                    list.Add($"How does {Other(f, 2).Name()} compare on {aspect.Label}?");
                break;
            case QuestionKind.ProsCons when focus is { } f:
                list.Add(question.WantsCons && !question.WantsPros ? $"What are the advantages of {f.Name()}?" : $"What are the disadvantages of {f.Name()}?");
                list.Add($"When should I choose {f.Name()}?");
                list.Add($"How does {f.Name()} compare with {Other(f).Name()}?");
                break;
            case QuestionKind.Comparison:
                list.Add("Which framework is best for beginners?");
                list.Add("Which framework has the best performance?");
                list.Add("Which framework should I use for a large web application?");
                break;
            case QuestionKind.Fact or QuestionKind.Definition or QuestionKind.General when focus is { } f:
                list.Add($"What are the pros and cons of {f.Name()}?");
                list.Add($"When should I choose {f.Name()}?");
                list.Add($"How does {f.Name()} compare with {Other(f).Name()}?");
                break;
        }
        foreach (var starter in Advisor.StarterQuestions)
        {
            if (list.Count >= 3)
                break;
            if (!list.Contains(starter))
                list.Add(starter);
        }
        return [.. list.Distinct().Take(3)];
    }

    private static Framework Other(Framework f, int step = 1) => Frameworks.All[(Frameworks.All.ToList().IndexOf(f) + step) % 3];
}
