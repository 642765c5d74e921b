namespace ChatAdvisor.Core;

/// <summary>The state of one component as <c>/readyz</c> reports it.</summary>
/// <param name="Ready">False when the component keeps the advisor from answering.</param>
/// <param name="Detail">A short human-readable status (counts, timings, the last failure).</param>
public sealed record ComponentStatus(bool Ready, string Detail);

/// <summary>The readiness of the whole advisor: ready when every component is.</summary>
public sealed record ReadinessReport(bool Ready, IReadOnlyDictionary<string, ComponentStatus> Components);

/// <summary>A component that reports its state to <c>/readyz</c> (the index, the language model, …).</summary>
public interface IReadinessContributor
{
    /// <summary>The component's name in the report.</summary>
    string Name { get; }

    /// <summary>The component's current state; cheap and non-blocking.</summary>
    ComponentStatus GetStatus();
}

/// <summary>Collects every <see cref="IReadinessContributor"/> into one report.</summary>
public sealed class ReadinessReporter(IEnumerable<IReadinessContributor> contributors)
{
    /// <summary>The current report.</summary>
    public ReadinessReport Report()
    {
        var components = contributors.ToDictionary(c => c.Name, c => c.GetStatus());
        return new ReadinessReport(components.Values.All(s => s.Ready), components);
    }
}
