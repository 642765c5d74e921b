using ChatAdvisor.Core.Answering;

namespace ChatAdvisor.Core.Understanding;

/// <summary>
/// Turns the verdict model's prediction for a situation into the verdict an answer gives: the entity the articles support
/// when the model is sure enough, else which entity fits which need (a split verdict). The claims quoted for it are the
/// ones the claim matcher found for each entity (<see cref="VerdictFinder"/>).
/// </summary>
public static class VerdictModel
{
    /// <summary>Below this probability (among the candidates and "depends") the answer says what fits which need instead of one verdict.</summary>
    public const double Confident = 0.5;

    /// <summary>An entity the model gives less than this for the situation is no alternative worth naming beside the verdict.</summary>
    public const double Alternative = 0.15;

    /// <summary>"Is X a good fit for …?" keeps X while the model gives it at least this probability and no other entity is <see cref="Confident"/>.</summary>
    public const double BenefitOfDoubt = 0.3;

    /// <summary>
    /// The verdict among <paramref name="candidates"/> that <paramref name="prediction"/> supports, with the evidence's claims;
    /// <paramref name="asked"/> is the one entity a question like "Is X a good fit for …?" asks about, if any.
    /// </summary>
    public static VerdictEvidence Decide(Prediction prediction, VerdictEvidence evidence, IReadOnlyList<string> candidates, string? asked)
    {
        // The verdict is the model's; the passage quoted first for it says it in words. A table rating grades one feature
        // ("API Development: Excellent") and follows the best sentence or list item rather than leading.
        evidence = evidence with
        {
            Best = evidence.Best.ToDictionary(e => e.Key, e => e.Value.OrderBy(c => c.Claim.Kind == ClaimKind.TableCell).ToList(), StringComparer.Ordinal),
        };
        // Only an entity with a claim to quote can be the verdict; probabilities are shared among those and "depends".
        var ranked = candidates.Where(c => evidence.For(c).Count > 0).Select(c => (Entity: c, Probability: prediction.Of(c)))
            .OrderByDescending(r => r.Probability).ThenBy(r => r.Entity, StringComparer.Ordinal).ToList();
        if (ranked.Count == 0)
            return evidence;
        double total = ranked.Sum(r => r.Probability) + prediction.Of(UnderstandingModels.Depends);
        double Share(double p) => total > 0 ? p / total : 0;
        var (best, probability) = ranked[0];
        var shares = ranked.ToDictionary(r => r.Entity, r => Share(r.Probability), StringComparer.Ordinal);
        // "Is X a good fit for …?" keeps X unless the model is sure of another.
        if (asked is not null && asked != best && Share(probability) < Confident
            && ranked.FirstOrDefault(r => r.Entity == asked) is { Entity: not null } askedRank && Share(askedRank.Probability) >= BenefitOfDoubt)
            return evidence with { Winner = asked, Split = [], Probabilities = shares };
        // "Is X good for …?" where another is more probable: a plain no, with the one that fits.
        if (asked is not null && asked != best && Share(probability) >= Alternative)
            return evidence with { Winner = best, Split = [], Probabilities = shares };
        // Sure of one entity, or of no other: that one. Two plausible entities: which fits which need. None plausible (the
        // situation names no need the examples know): the claims that match it decide.
        if (Share(probability) >= Confident || ranked.Count == 1 || (Share(probability) >= Alternative && Share(ranked[1].Probability) < Alternative))
            return evidence with { Winner = best, Split = [], Probabilities = shares };
        if (Share(ranked[1].Probability) >= Alternative)
            return evidence with { Winner = best, Split = [best, ranked[1].Entity], Probabilities = shares };
        return evidence with { Probabilities = shares };
    }
}
