namespace ChatAdvisor.Core.Understanding;

/// <summary>The labels of the follow-up act example set (<c>followups.jsonl</c>) that change how a follow-up is read.</summary>
public static class FollowUpActs
{
    /// <summary>A question of its own, not leaning on the conversation.</summary>
    public const string New = "new";

    /// <summary>"and the other two?": the entities not in focus.</summary>
    public const string Others = "others";

    /// <summary>"how does that compare with the rest?": the entity in focus against the others, on the same aspect.</summary>
    public const string CompareRest = "compare_rest";

    /// <summary>"tell me more", "who made it?": more about the entity in focus.</summary>
    public const string Drill = "drill";

    /// <summary>"any downsides?": the weaknesses of the entity in focus.</summary>
    public const string Cons = "cons";

    /// <summary>"what about that other one?": the same question about another entity.</summary>
    public const string SwitchEntity = "switch_entity";

    /// <summary>"why not the other one?": why another entity was not the verdict.</summary>
    public const string WhyNot = "why_not";

    /// <summary>"what if we also need an admin?": the situation with a requirement added or changed.</summary>
    public const string ChangedSituation = "changed_situation";

    /// <summary>"are you sure?": doubt about the answer.</summary>
    public const string Challenge = "challenge";

    /// <summary>"and on async?": the same entities on another aspect.</summary>
    public const string AspectShift = "aspect_shift";

    /// <summary>The probability from which an act decides how a follow-up is read.</summary>
    public const double Sure = 0.5;
}
