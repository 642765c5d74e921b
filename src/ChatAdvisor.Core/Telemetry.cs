using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Core;

/// <summary>
/// The advisor's own traces and metrics (source and meter <c>ChatAdvisor</c>). Retrieval spans follow the OpenTelemetry
/// GenAI conventions (<c>gen_ai.operation.name</c> = <c>retrieval</c>, <c>gen_ai.request.top_k</c>); the model calls
/// and embeddings are traced by Microsoft.Extensions.AI's OpenTelemetry layers under their own source names. Nothing is
/// recorded unless a listener (the host's OpenTelemetry, when an exporter is configured) subscribes.
/// </summary>
public static class Telemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "ChatAdvisor";

    /// <summary>The source name of the embedding calls' spans (Microsoft.Extensions.AI's OpenTelemetry layer).</summary>
    public const string EmbeddingsSourceName = "ChatAdvisor.Embeddings";

    /// <summary>The advisor's spans.</summary>
    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Answers given, tagged with the question kind and whether the answer is grounded in the articles.</summary>
    public static readonly Counter<long> Answers = Meter.CreateCounter<long>("chatadvisor.answers", "{answer}", "Answers given");

    /// <summary>The time from a question to its stored answer.</summary>
    public static readonly Histogram<double> AnswerDuration = Meter.CreateHistogram<double>("chatadvisor.answer.duration", "s",
        "Time from a question to its stored answer");

    /// <summary>Turns answered again because another turn of the same conversation was stored meanwhile.</summary>
    public static readonly Counter<long> TurnRetries = Meter.CreateCounter<long>("chatadvisor.turn.retries", "{retry}",
        "Turns answered again after a concurrent turn of the same conversation");

    /// <summary>Channel turns accepted and not finished: the depth of the turn queue.</summary>
    public static readonly UpDownCounter<long> QueuedTurns = Meter.CreateUpDownCounter<long>("chatadvisor.turns.queued", "{turn}",
        "Channel turns accepted and not finished yet");

    /// <summary>Direct Line questions taken over from a replica that stopped renewing its lease.</summary>
    public static readonly Counter<long> TurnsTakenOver = Meter.CreateCounter<long>("chatadvisor.turns.taken_over", "{turn}",
        "Direct Line questions answered by another replica after theirs stopped renewing its lease");

    /// <summary>
    /// Wraps an embedding generator in Microsoft.Extensions.AI's OpenTelemetry layer: GenAI <c>embeddings</c> spans and
    /// metrics under <see cref="EmbeddingsSourceName"/>, recorded only when a listener subscribes.
    /// </summary>
    public static IEmbeddingGenerator<string, Embedding<float>> Instrument(IEmbeddingGenerator<string, Embedding<float>> generator, ILoggerFactory? loggerFactory)
        => new EmbeddingGeneratorBuilder<string, Embedding<float>>(generator).UseOpenTelemetry(loggerFactory, EmbeddingsSourceName).Build();

    /// <summary>Starts a retrieval span (null when nobody listens).</summary>
    public static Activity? StartRetrieval(int topK, string kind)
    {
        var activity = Source.StartActivity("retrieval", ActivityKind.Internal);
        if (activity is null)
            return null;
        activity.SetTag("gen_ai.operation.name", "retrieval");
        activity.SetTag("gen_ai.request.top_k", topK);
        activity.SetTag("gen_ai.data_source.id", "corpus");
        activity.SetTag("chatadvisor.retrieval.kind", kind);
        return activity;
    }

    /// <summary>Records an answer in the metrics.</summary>
    public static void RecordAnswer(string kind, bool grounded, TimeSpan elapsed)
    {
        var tags = new TagList { { "chatadvisor.question.kind", kind }, { "chatadvisor.grounded", grounded } };
        Answers.Add(1, tags);
        AnswerDuration.Record(elapsed.TotalSeconds, tags);
    }
}
