using System.Text.RegularExpressions;
using ChatAdvisor.Core.Topics;
using ChatAdvisor.Core.Understanding;

namespace ChatAdvisor.Core.Answering;

/// <summary>
/// Resolves a follow-up question against what the conversation has shown so far: the entities in focus, the
/// verdict, the aspect and the situation. "And its disadvantages?" after a question on X becomes the disadvantages
/// of X; "Why not Y instead?" after a verdict for X weighs Y against X on the same situation; "the other two" are the
/// entities not in focus; "which of those is fastest?" chooses among the entities shown; "What about Y for the same
/// project?" judges Y on the same situation's evidence.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static partial class FollowUpResolver
{
    [GeneratedRegex(@" (the other two|the others|the other ones|other ones|other two|the rest|the remaining) ")]
    private static partial Regex TheOthers();

    [GeneratedRegex(@" (of those|of them|of these|of the two|between them|between those|those two|these two) ")]
    private static partial Regex AmongShown();

    [GeneratedRegex(@" (same project|same app|same thing|same use case|same situation|for it|for that|for this|that project|this project|that case|that use case) ")]
    private static partial Regex SameSituation();

    [GeneratedRegex(@" (it|its|it s|that one|this one|that one s) ")]
    private static partial Regex PointsBack();

    [GeneratedRegex(@"^ (and |so |but )?(who|when|where|what|which|how|why|is|does|did|was|can) ")]
    private static partial Regex WhQuestion();

    [GeneratedRegex(@"^ (and |so |but )?(who|when|where|what year|how old|is|does|did|was|can) ")]
    private static partial Regex FactQuestion();

    /// <summary>The question to answer: <paramref name="current"/> itself, or merged with <paramref name="previous"/>.</summary>
    public static QuestionAnalysis Resolve(QuestionAnalysis current, QuestionAnalysis? previous, TopicProfile topic, string? act = null)
    {
        if (previous is not null && previous.Kind != QuestionKind.OutOfScope && !current.IsTask && act is not null
            && ResolveAct(current, previous, topic, act) is { } byAct)
            return Finish(byAct, previous, topic);
        if (previous is null || previous.Kind == QuestionKind.OutOfScope || !current.LooksLikeFollowUp)
            return Finish(current, previous, topic);
        var lower = " " + string.Join(' ', Retrieval.TextAnalyzer.Words(current.Text.AsSpan())) + " ";
        // "Who made it?": a short question that points back at what was discussed is about it, even when its own words
        // ("made") are not the articles' words. A question about something new ("a good name for my cat") is not.
        if (current.Kind == QuestionKind.OutOfScope && current.Uncovered.Count == 0 && current.ContentWords.Count <= 2
            && PointsBack().IsMatch(lower) && previous.Entities.Count > 0 && WhQuestion().IsMatch(lower))
            current = current with { Kind = FactQuestion().IsMatch(lower) ? QuestionKind.Fact : QuestionKind.General };
        if (current.Kind == QuestionKind.OutOfScope && (current.Uncovered.Count > 0 || current.ContentWords.Count > 0))
            return Finish(current with { Shown = [] }, null, topic);

        // "it", "its", "that one": the one entity the user last named, else the verdict they were given, else what was discussed.
        IReadOnlyList<string> previousFocus = FocusOf(previous);
        var shown = previous.Shown.Count > 0 ? previous.Shown : previous.Entities;
        bool others = TheOthers().IsMatch(lower);
        bool amongShown = AmongShown().IsMatch(lower);
        bool sameSituation = SameSituation().IsMatch(lower);
        var aspects = current.Aspects.Count > 0 ? current.Aspects : previous.Aspects;
        // The situation carries over unless the follow-up brings a topic of its own ("which of those is fastest?").
        var useCase = current.UseCase ?? (current.Aspects.Count == 0 || sameSituation ? previous.UseCase : null);
        var situationAspects = current.Aspects.Count > 0 ? current.Aspects : previous.Aspects;
        QuestionAnalysis resolved;

        if (others && current.Entities.Count == 0)
        {
            // "And the other two?" / "Do the others have an admin too?": the entities not in focus, the same kind of
            // question unless the follow-up asks something of its own.
            var rest = topic.EntityIds.Where(id => !previousFocus.Contains(id)).ToList();
            var kind = current.Kind is QuestionKind.General or QuestionKind.Fact ? previous.Kind : current.Kind;
            if (current.Aspects.Count > 0 && kind is not QuestionKind.ProsCons)
                kind = QuestionKind.Comparison;
            resolved = current with
            {
                Kind = kind,
                Entities = rest,
                Aspects = aspects,
                WantsPros = kind == QuestionKind.ProsCons && current.Kind != QuestionKind.ProsCons ? previous.WantsPros : current.WantsPros,
                WantsCons = kind == QuestionKind.ProsCons && current.Kind != QuestionKind.ProsCons ? previous.WantsCons : current.WantsCons,
            };
        }
        else if (amongShown && current.Entities.Count == 0)
        {
            // "Which of those is fastest?": a choice among what the conversation has shown.
            var among = shown.Count >= 2 ? shown : [.. topic.EntityIds];
            resolved = current with { Kind = QuestionKind.Recommendation, Entities = among, Aspects = aspects, UseCase = useCase };
        }
        else if (current.WhyNot && current.Entities.Count >= 1)
        {
            var rejected = current.Entities[0];
            var preferred = previousFocus.FirstOrDefault(f => f != rejected);
            var entities = preferred is null ? [rejected] : new List<string> { rejected, preferred };
            resolved = current with { Kind = QuestionKind.Comparison, Entities = entities, Aspects = situationAspects, UseCase = previous.UseCase ?? useCase };
        }
        else if (previous.WhyNot && current.Entities.Count == 1 && current.Kind == QuestionKind.General && previous.Verdict is { } verdict && current.Entities[0] != verdict)
        {
            // "Why not Y instead?" → "And Z?": the same question about Z.
            resolved = current with { Kind = QuestionKind.Comparison, WhyNot = true, Entities = [current.Entities[0], verdict], Aspects = previous.Aspects, UseCase = previous.UseCase };
        }
        else if (current.Kind == QuestionKind.Comparison && current.Entities.Count < 2)
        {
            var entities = current.Entities.Concat(previousFocus).Distinct().ToList();
            resolved = current with { Entities = entities, Aspects = aspects, UseCase = useCase };
        }
        else if (current.Kind == QuestionKind.Recommendation && current.Entities.Count == 0 && PointsBack().IsMatch(lower) && !sameSituation)
        {
            // "Then why would anyone pick it?": the entity in focus.
            resolved = current with { Entities = previousFocus, Aspects = aspects, UseCase = useCase };
        }
        else if (current.Kind == QuestionKind.Recommendation && current.Entities.Count == 0)
        {
            // "So which would you pick for it?": a fresh choice among all entities, on the same situation.
            resolved = current with { Aspects = current.Aspects.Count > 0 ? current.Aspects : previous.Aspects, UseCase = useCase };
        }
        else if (current.Entities.Count == 0)
        {
            // "And its disadvantages?" / "Is it good for beginners?": the same entities, the new kind of question.
            var kind = current.Kind is QuestionKind.General or QuestionKind.OutOfScope ? previous.Kind : current.Kind;
            // "And on async support?" after a comparison: the same entities compared on the new aspect, whichever led on the last one.
            var focus = kind == QuestionKind.Comparison && previous.Kind == QuestionKind.Comparison && previous.Entities.Count >= 2 && !PointsBack().IsMatch(lower)
                ? previous.Entities : previousFocus;
            if (kind == QuestionKind.Comparison && focus.Count < 2)
                kind = QuestionKind.General;
            resolved = current with
            {
                Kind = kind,
                Entities = focus,
                Aspects = current.Aspects.Count > 0 || current.Kind == QuestionKind.ProsCons ? current.Aspects : previous.Aspects,
                UseCase = useCase,
                WantsPros = current.Kind == QuestionKind.ProsCons ? current.WantsPros : previous.WantsPros,
                WantsCons = current.Kind == QuestionKind.ProsCons ? current.WantsCons : previous.WantsCons,
            };
        }
        else if (previous.Kind == QuestionKind.Recommendation && previous.Verdict is { } earlier && current.Kind is QuestionKind.General or QuestionKind.Recommendation
            && (previous.UseCase is not null || previous.Aspects.Count > 0) && !current.Entities.Contains(earlier))
        {
            // "What about Y for the same project?": Y judged against the earlier verdict on the same situation's evidence.
            resolved = current with
            {
                Kind = QuestionKind.Recommendation,
                Entities = [.. current.Entities.Append(earlier)],
                Aspects = current.Aspects.Count > 0 ? current.Aspects : previous.Aspects,
                UseCase = current.UseCase ?? previous.UseCase,
            };
        }
        else
        {
            // "What about Y?": the same question about another entity. A question that names its entity and says what
            // it wants ("What are the disadvantages of Y?") stands on its own and keeps its own topic.
            bool standalone = current.Kind is not QuestionKind.General;
            var kind = standalone ? current.Kind : previous.Kind;
            if (kind == QuestionKind.Comparison && current.Entities.Count < 2)
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
        bool ownsTopic = current.Entities.Count > 0 && current.Kind is not (QuestionKind.General or QuestionKind.OutOfScope);
        if (resolved.ContentWords.Count == 0 && !ownsTopic)
            resolved = resolved with { Terms = [.. resolved.Terms.Concat(previous.Terms).Distinct()] };
        // A follow-up that points back ("Is that one hard for beginners?", "Then why would anyone pick it?") asks about the
        // entity it points to, as if it were named.
        if (resolved.Asked.Count == 0 && resolved.Entities.Count == 1 && PointsBack().IsMatch(lower))
            resolved = resolved with { Asked = resolved.Entities };
        return Finish(resolved, previous, topic);
    }

    /// <summary>
    /// A follow-up read by the act the follow-up model gives it (<see cref="FollowUpActs"/>), or null when the act leaves it
    /// to the reading of its words: a challenge asks the earlier question again, "why not X?" weighs X against the earlier
    /// verdict, "any downsides?" asks for the drawbacks of the entity in focus, "how does that compare with the rest?"
    /// compares every entity on the same aspect, and a changed requirement is a new choice for the situation as changed.
    /// </summary>
    private static QuestionAnalysis? ResolveAct(QuestionAnalysis current, QuestionAnalysis previous, TopicProfile topic, string act)
    {
        IReadOnlyList<string> focus = FocusOf(previous);
        var aspects = current.Aspects.Count > 0 ? current.Aspects : previous.Aspects;
        switch (act)
        {
            case FollowUpActs.Challenge when current.Entities.Count == 0:
                return previous with { Text = current.Text, Asked = previous.Asked, LooksLikeFollowUp = true, HadInstructions = current.HadInstructions, Uncovered = [] };
            case FollowUpActs.WhyNot:
            {
                // "why not X?" rejects the one named; "and the other two, why not them?" every one not in focus.
                var rejected = current.Entities.Count > 0 ? current.Entities.ToList() : topic.EntityIds.Where(id => !focus.Contains(id)).ToList();
                var preferred = focus.FirstOrDefault(f => !rejected.Contains(f));
                if (rejected.Count == 0 || preferred is null)
                    return null;
                return current with
                {
                    Kind = QuestionKind.Comparison, WhyNot = true, Entities = [.. rejected, preferred], Asked = rejected, Aspects = previous.Aspects,
                    UseCase = previous.UseCase, Situation = previous.Situation, LooksLikeFollowUp = true,
                };
            }
            case FollowUpActs.Cons when current.Entities.Count <= 1:
                return current with
                {
                    Kind = QuestionKind.ProsCons, WantsCons = true, WantsPros = false, Entities = current.Entities.Count == 1 ? current.Entities : focus,
                    Aspects = current.Aspects, LooksLikeFollowUp = true,
                };
            // "by how much?", "why?", "wasn't there a funny story to it?": more about what the last answer was about, told
            // from the passages (not a verdict given again), even when its own words are not the articles'.
            // A drill that brings an aspect of its own ("is that one hard for beginners?") is read from its words.
            case FollowUpActs.Drill when current.Entities.Count == 0 && focus.Count > 0 && current.Uncovered.Count == 0
                && current.Aspects.All(previous.Aspects.Contains)
                && (previous.Kind is QuestionKind.Recommendation or QuestionKind.Comparison || current.Kind is QuestionKind.OutOfScope or QuestionKind.Recommendation):
                return current with { Kind = QuestionKind.General, Entities = focus, Aspects = aspects, LooksLikeFollowUp = true };
            case FollowUpActs.CompareRest when current.Entities.Count <= 1:
                return current with { Kind = QuestionKind.Comparison, Entities = [.. topic.EntityIds], Aspects = aspects, LooksLikeFollowUp = true };
            case FollowUpActs.ChangedSituation when current.Entities.Count == 0 && previous.Kind == QuestionKind.Recommendation:
            {
                var situation = (previous.Situation ?? previous.Text).TrimEnd('?', '.', ' ') + ". " + current.Text;
                return current with
                {
                    Kind = QuestionKind.Recommendation, Aspects = [.. previous.Aspects.Concat(current.Aspects).Distinct()], UseCase = previous.UseCase,
                    Situation = situation, LooksLikeFollowUp = true,
                };
            }
            default:
                return null;
        }
    }

    /// <summary>
    /// What "it" and "that one" point to after <paramref name="previous"/>: the verdict an answer to "why not X?" kept,
    /// else the one entity the user named, else the verdict, else what was discussed.
    /// </summary>
    private static IReadOnlyList<string> FocusOf(QuestionAnalysis previous)
        => previous.WhyNot && previous.Verdict is { } kept ? [kept]
            : previous.Asked.Count == 1 ? previous.Asked : previous.Verdict is { } v ? [v] : previous.Entities;

    private static QuestionAnalysis Finish(QuestionAnalysis resolved, QuestionAnalysis? previous, TopicProfile topic)
    {
        var shown = (previous?.Shown ?? []).Concat(resolved.Entities).Distinct().ToList();
        // The situation carries over to follow-ups that bring no topic of their own, or that say "for the same project".
        if (resolved.Situation is null && previous?.Situation is { } situation && resolved.LooksLikeFollowUp
            && resolved.Kind is QuestionKind.Recommendation or QuestionKind.Comparison
            && (resolved.UseCase is not null || resolved.Aspects.SequenceEqual(previous.Aspects) || SameSituation().IsMatch(" " + string.Join(' ', Retrieval.TextAnalyzer.Words(resolved.Text.AsSpan())) + " ")))
            resolved = resolved with { Situation = resolved.UseCase ?? situation };
        return resolved with { Shown = shown, Resolved = Describe(resolved, topic) };
    }

    /// <summary>A standalone wording of an analysed question.</summary>
    public static string Describe(QuestionAnalysis q, TopicProfile topic)
    {
        var names = topic.JoinNames(q.Entities);
        var aspects = string.Join(" and ", q.Aspects.Select(a => a.Label));
        return q.Kind switch
        {
            QuestionKind.ProsCons => $"What are the {(q.WantsPros && q.WantsCons ? "pros and cons" : q.WantsCons ? "disadvantages" : "advantages")} of {(names.Length > 0 ? names : "these " + topic.EntityNoun + "s")}?",
            QuestionKind.Comparison when q.WhyNot && q.Entities.Count >= 2 => $"Why not {topic.Name(q.Entities[0])} instead of {topic.Name(q.Entities[1])}{(q.UseCase is { } u ? " for " + u : "")}?",
            QuestionKind.Comparison => $"How do {(names.Length > 0 ? names : topic.JoinNames(topic.EntityIds))} compare{(aspects.Length > 0 ? " on " + aspects : "")}?",
            QuestionKind.Recommendation => $"Which {topic.EntityNoun} should I choose{(q.UseCase is { } u ? " for " + u : aspects.Length > 0 ? " for " + aspects : "")}{(names.Length > 0 ? " (" + names + ")" : "")}?",
            _ when q.Entities.Count > 0 && q.LooksLikeFollowUp => $"{q.Text} ({names}{(aspects.Length > 0 ? ", " + aspects : "")})",
            _ => q.Text,
        };
    }
}
