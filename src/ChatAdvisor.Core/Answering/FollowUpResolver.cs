namespace ChatAdvisor.Core.Answering;

/// <summary>
/// Resolves a follow-up question against the previous turn of its conversation: "And its disadvantages?"
/// after a question on Flask becomes the disadvantages of Flask; "Why not Django?" after a recommendation of
/// FastAPI compares the two for the same use case; "How does Django compare on that?" keeps the topic.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class FollowUpResolver
{
    /// <summary>The question to answer: <paramref name="current"/> itself, or merged with <paramref name="previous"/>.</summary>
    public static QuestionAnalysis Resolve(QuestionAnalysis current, QuestionAnalysis? previous)
    {
        if (previous is null || previous.Kind == QuestionKind.OutOfScope || !current.LooksLikeFollowUp)
            return current with { Resolved = Describe(current) };
        if (current.Kind == QuestionKind.OutOfScope && (current.OtherTechnologies.Count > 0 || current.ContentWords.Count > 0))
            return current with { Resolved = Describe(current) };

        var previousFocus = previous.Recommended is { } r ? [r] : previous.Frameworks;
        var aspects = current.Aspects.Count > 0 ? current.Aspects : previous.Aspects;
        var useCase = current.UseCase ?? previous.UseCase;
        QuestionAnalysis resolved;

        if (current.WhyNot && current.Frameworks.Count >= 1)
        {
            var rejected = current.Frameworks[0];
            var preferred = previousFocus.FirstOrDefault(f => f != rejected);
            var frameworks = previousFocus.Contains(rejected) && previousFocus.Count == 1 ? [rejected] : new List<Framework> { rejected, preferred };
            resolved = current with { Kind = QuestionKind.Comparison, Frameworks = frameworks.Distinct().ToList(), Aspects = aspects, UseCase = useCase };
        }
        else if (current.Kind == QuestionKind.Comparison && current.Frameworks.Count < 2)
        {
            var frameworks = current.Frameworks.Concat(previousFocus).Distinct().ToList();
            resolved = current with { Frameworks = frameworks, Aspects = aspects, UseCase = useCase };
        }
        else if (current.Frameworks.Count == 0)
        {
            // "And its disadvantages?" / "Is it good for beginners?": the same frameworks, the new kind of question.
            var kind = current.Kind is QuestionKind.General or QuestionKind.OutOfScope ? previous.Kind : current.Kind;
            resolved = current with
            {
                Kind = kind,
                Frameworks = previousFocus,
                Aspects = current.Aspects.Count > 0 || current.Kind == QuestionKind.ProsCons ? current.Aspects : previous.Aspects,
                UseCase = useCase,
                WantsPros = current.Kind == QuestionKind.ProsCons ? current.WantsPros : previous.WantsPros,
                WantsCons = current.Kind == QuestionKind.ProsCons ? current.WantsCons : previous.WantsCons,
            };
        }
        else
        {
            // "What about Flask?": the same question about another framework. A question that names its framework and
            // says what it wants ("What are the disadvantages of FastAPI?") stands on its own and keeps its own topic.
            bool standalone = current.Kind is not QuestionKind.General;
            var kind = standalone ? current.Kind : previous.Kind;
            if (kind == QuestionKind.Comparison && current.Frameworks.Count < 2)
                kind = QuestionKind.General;
            resolved = current with
            {
                Kind = kind,
                Aspects = standalone ? current.Aspects : aspects,
                UseCase = standalone ? current.UseCase : useCase,
                WantsPros = kind == QuestionKind.ProsCons && current.Kind != QuestionKind.ProsCons ? previous.WantsPros : current.WantsPros,
                WantsCons = kind == QuestionKind.ProsCons && current.Kind != QuestionKind.ProsCons ? previous.WantsCons : current.WantsCons,
            };
        }

        // The previous question's topic words help retrieval when the follow-up has none of its own.
        bool ownsTopic = current.Frameworks.Count > 0 && current.Kind is not (QuestionKind.General or QuestionKind.OutOfScope);
        if (resolved.ContentWords.Count == 0 && !ownsTopic)
            resolved = resolved with { Terms = [.. resolved.Terms.Concat(previous.Terms).Distinct()] };
        return resolved with { Resolved = Describe(resolved) };
    }

    /// <summary>A standalone wording of an analysed question.</summary>
    public static string Describe(QuestionAnalysis q)
    {
        var names = string.Join(" and ", q.Frameworks.Select(f => f.Name()));
        var aspects = string.Join(" and ", q.Aspects.Select(a => a.Label));
        return q.Kind switch
        {
            QuestionKind.ProsCons => $"What are the {(q.WantsPros && q.WantsCons ? "pros and cons" : q.WantsCons ? "disadvantages" : "advantages")} of {(names.Length > 0 ? names : "these frameworks")}?",
            QuestionKind.Comparison when q.WhyNot && q.Frameworks.Count >= 2 => $"Why not {q.Frameworks[0].Name()} instead of {q.Frameworks[1].Name()}{(q.UseCase is { } u ? " for " + u : "")}?",
            QuestionKind.Comparison => $"How do {(names.Length > 0 ? names : "Django, Flask and FastAPI")} compare{(aspects.Length > 0 ? " on " + aspects : "")}?",
            QuestionKind.Recommendation => $"Which framework should I choose{(q.UseCase is { } u ? " for " + u : aspects.Length > 0 ? " for " + aspects : "")}{(names.Length > 0 ? " (" + names + ")" : "")}?",
            _ when q.Frameworks.Count > 0 && q.LooksLikeFollowUp => $"{q.Text} ({names}{(aspects.Length > 0 ? ", " + aspects : "")})",
            _ => q.Text,
        };
    }
}
