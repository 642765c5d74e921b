using ChatAdvisor.Core.Topics;

namespace ChatAdvisor.Core.Answering;

/// <summary>Follow-up questions offered after an answer; each is one the advisor can answer from the articles.</summary>
public static class Suggestions
{
    /// <summary>Up to three follow-ups that fit the question just answered.</summary>
    public static IReadOnlyList<string> After(QuestionAnalysis question, string? verdict, TopicProfile topic)
    {
        var list = new List<string>();
        var focus = verdict ?? (question.Entities.Count > 0 ? question.Entities[0] : null);
        var aspect = question.Aspects.FirstOrDefault(a => a.Id is not "history");
        string Other(string id, int step = 1) => topic.Name(topic.Entities[(topic.EntityIds.ToList().IndexOf(id) + step) % topic.Entities.Count].Id);

        switch (question.Kind)
        {
            case QuestionKind.Recommendation when focus is { } f:
                list.Add($"What are the disadvantages of {topic.Name(f)}?");
                list.Add($"Why not {Other(f)}?");
                if (aspect is not null)
                    list.Add($"How does {Other(f, 2)} compare on {aspect.Label}?");
                break;
            case QuestionKind.ProsCons when focus is { } f:
                // Both sides were just answered: the other side is not a follow-up.
                if (!(question.WantsPros && question.WantsCons))
                    list.Add(question.WantsCons ? $"What are the advantages of {topic.Name(f)}?" : $"What are the disadvantages of {topic.Name(f)}?");
                list.Add($"When should I choose {topic.Name(f)}?");
                list.Add($"How does {topic.Name(f)} compare with {Other(f)}?");
                break;
            case QuestionKind.Fact or QuestionKind.Definition or QuestionKind.General when focus is { } f:
                list.Add($"What are the pros and cons of {topic.Name(f)}?");
                list.Add($"When should I choose {topic.Name(f)}?");
                list.Add($"How does {topic.Name(f)} compare with {Other(f)}?");
                break;
        }
        foreach (var starter in topic.StarterQuestions)
        {
            if (list.Count >= 3)
                break;
            if (!list.Contains(starter))
                list.Add(starter);
        }
        return [.. list.Distinct().Take(3)];
    }
}
