using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using ChatAdvisor.Core.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ChatAdvisor.Core.Answering.Llm;

/// <summary>An earlier turn of the conversation, as the prompts show it.</summary>
public sealed record PriorTurn(string Question, string Answer);

/// <summary>An answer written by the language model and checked against its sources.</summary>
/// <param name="Text">Markdown with [n] markers numbered 1..n in order of appearance.</param>
/// <param name="Grounded">False when the model said the sources do not cover the question; then <paramref name="Citations"/> is empty.</param>
/// <param name="Citations">The cited passages, verbatim.</param>
/// <param name="Suggestions">Follow-up questions from the model, or null when it gave none (use the extractive ones).</param>
public sealed record LlmAnswer(string Text, bool Grounded, IReadOnlyList<Citation> Citations, IReadOnlyList<string>? Suggestions);

/// <summary>One step of a streamed answer.</summary>
public abstract record LlmStreamItem;

/// <summary>More answer text, with citation markers already renumbered.</summary>
public sealed record LlmTextDelta(string Text) : LlmStreamItem;

/// <summary>The end of the stream: the checked answer, or null when the extractive composer must answer instead.</summary>
public sealed record LlmCompleted(LlmAnswer? Answer) : LlmStreamItem;

/// <summary>
/// Writes answers with a language model: rewrites follow-ups into search queries, answers from numbered sources and
/// checks the citations. The prompts run as Semantic Kernel functions on a <see cref="Kernel"/> over the given
/// <see cref="IChatClient"/>, which is expected to be the host's pipeline (circuit breaker, timeout, telemetry, logging,
/// provider). Every failure (timeout, 429, 5xx, refused connection, malformed or uncited output, open circuit) yields
/// null so the caller answers extractively. Thread-safe singleton; one <see cref="LlmTurn"/> per question.
/// </summary>
public sealed class LlmAnswerer
{
    /// <summary>How many suggestions are asked for.</summary>
    internal const int SuggestionCount = 3;

    private readonly IOptions<LlmOptions> _options;

    /// <summary>Creates the answerer and the kernel its prompt functions run on.</summary>
    public LlmAnswerer(IChatClient chatClient, PromptLibrary prompts, IOptions<LlmOptions> options, TimeProvider time, ILogger<LlmAnswerer> logger)
    {
        _options = options;
        Prompts = prompts;
        Time = time;
        Logger = logger;
        var services = new ServiceCollection();
        services.AddSingleton(chatClient);
        Kernel = new Kernel(services.BuildServiceProvider());
        Kernel.PromptRenderFilters.Add(new PromptTraceFilter(logger));
    }

    internal Kernel Kernel { get; }
    internal PromptLibrary Prompts { get; }
    internal LlmOptions Options => _options.Value;
    internal TimeProvider Time { get; }
    internal ILogger Logger { get; }

    /// <summary>
    /// Starts the model's part of answering one question. Every call of the turn shares one deadline of
    /// <see cref="LlmOptions.TimeoutSeconds"/>, and after a failure the turn makes no further calls.
    /// </summary>
    public LlmTurn BeginTurn(CancellationToken cancellationToken = default) => new(this, cancellationToken);

    /// <summary>
    /// Starts a turn whose prompts name <paramref name="topic"/> (the topic profile's subject, for example "the
    /// databases A and B") wherever they read <c>{{$topic}}</c>.
    /// </summary>
    public LlmTurn BeginTurn(string topic, CancellationToken cancellationToken = default) => new(this, cancellationToken) { Topic = topic };
}

/// <summary>
/// The model's part of answering one question. Its methods take no cancellation token of their own: the token given
/// to <see cref="LlmAnswerer.BeginTurn(string, CancellationToken)"/> cancels every call, and each call carries the turn's deadline, which the chat
/// client pipeline's timeout layer enforces. Not thread-safe; dispose when the
/// question is answered.
/// </summary>
public sealed partial class LlmTurn : IDisposable
{
    private const int MaxHistoryTurns = 3;
    private const int MaxHistoryAnswerLength = 600;

    // Suggestions are asked for alongside the answer; once the answer is in, they get this much longer at most.
    private static readonly TimeSpan SuggestionGrace = TimeSpan.FromSeconds(1.5);

    private readonly LlmAnswerer _owner;
    private readonly CancellationToken _callerToken;
    // The chat client pipeline's timeout layer ends every call of the turn by this time.
    private readonly DateTimeOffset _deadline;
    private readonly CancellationTokenSource _suggestions;
    private bool _failed;

    /// <summary>What the prompts say the articles compare (<c>{{$topic}}</c>).</summary>
    public string Topic { get; init; } = "the options the articles compare";

    internal LlmTurn(LlmAnswerer owner, CancellationToken cancellationToken)
    {
        _owner = owner;
        _callerToken = cancellationToken;
        _deadline = owner.Time.GetUtcNow() + owner.Options.Timeout;
        _suggestions = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>True once a call of this turn has failed; the caller answers extractively.</summary>
    public bool Failed => _failed;

    /// <summary>
    /// Rewrites a follow-up into a standalone search query using the conversation. Returns null when there is no
    /// history, rewriting is off, or the model failed or wrote something unusable.
    /// </summary>
    public async Task<string?> RewriteAsync(string question, IReadOnlyList<PriorTurn> history)
    {
        if (history.Count == 0 || !_owner.Options.RewriteFollowUps)
            return null;
        var reply = await CallAsync("rewrite", _owner.Prompts.RewriteFunction, new Dictionary<string, string>
        {
            ["question"] = question,
            ["history"] = FormatHistory(history),
        }, maxOutputTokens: 100);
        if (reply is null)
            return null;
        var query = reply.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        query = QueryLabel().Replace(query, "").Trim().Trim('"', '\'', '`', '“', '”').Trim();
        if (query.Length is 0 or > QuestionRules.MaxLength)
        {
            LlmLog.RewriteUnusable(_owner.Logger);
            return null;
        }
        return query;
    }

    /// <summary>
    /// Answers <paramref name="question"/> from <paramref name="hits"/> (packed within the token budget). Returns null
    /// when the extractive composer must answer: no hits, a failed call, or an answer without a valid citation.
    /// </summary>
    public async Task<LlmAnswer?> AnswerAsync(string question, IReadOnlyList<PriorTurn> history, IReadOnlyList<SearchHit> hits)
    {
        var sources = Pack(hits);
        if (sources.Count == 0 || _failed)
            return null;
        var suggestions = StartSuggestions(question, sources);
        var reply = await CallAsync("answer", _owner.Prompts.AnswerFunction, AnswerValues(question, history, sources), _owner.Options.MaxOutputTokens);
        var answer = reply is null ? null : Check(reply, sources);
        if (answer is null)
        {
            await CancelAsync(suggestions);
            return null;
        }
        return answer with { Suggestions = await CollectAsync(suggestions) };
    }

    /// <summary>
    /// Streams the answer: text deltas (markers renumbered, invalid ones removed) and then one <see cref="LlmCompleted"/>.
    /// When that carries null, the extractive answer replaces whatever text was streamed.
    /// </summary>
    public async IAsyncEnumerable<LlmStreamItem> AnswerStreamingAsync(string question, IReadOnlyList<PriorTurn> history,
        IReadOnlyList<SearchHit> hits, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var sources = Pack(hits);
        if (sources.Count == 0 || _failed)
        {
            yield return new LlmCompleted(null);
            yield break;
        }

        var suggestions = StartSuggestions(question, sources);
        var arguments = Arguments("answer", AnswerValues(question, history, sources), _owner.Options.MaxOutputTokens);
        var renumberer = new CitationRenumberer(sources.Count);
        var raw = new StringBuilder();
        var notCovered = false;
        var undecided = true; // the start of the reply could still be the "not covered" sentinel
        var started = Stopwatch.GetTimestamp();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_callerToken, cancellationToken);
        var updates = _owner.Kernel.InvokeStreamingAsync<StreamingChatMessageContent>(_owner.Prompts.AnswerFunction, arguments, linked.Token)
            .GetAsyncEnumerator(linked.Token);
        try
        {
            while (true)
            {
                string? text;
                try
                {
                    if (!await updates.MoveNextAsync())
                        break;
                    text = updates.Current.Content;
                }
                catch (Exception exception) when (exception is not OperationCanceledException
                    || !(cancellationToken.IsCancellationRequested || _callerToken.IsCancellationRequested))
                {
                    RecordFailure("answer", exception, started);
                    break;
                }
                if (string.IsNullOrEmpty(text))
                    continue;
                raw.Append(text);
                if (undecided)
                {
                    var sofar = raw.ToString();
                    if (AnswerValidator.MayBecomeNotCovered(sofar))
                        continue;
                    undecided = false;
                    notCovered = AnswerValidator.IsNotCovered(sofar);
                    text = sofar; // release what was held back
                }
                if (notCovered)
                    continue;
                var delta = renumberer.Append(text);
                if (delta.Length > 0)
                    yield return new LlmTextDelta(delta);
            }
        }
        finally
        {
            await updates.DisposeAsync();
        }

        if (_failed)
        {
            await CancelAsync(suggestions);
            yield return new LlmCompleted(null);
            yield break;
        }
        // A reply shorter than the sentinel was held back whole; release it now.
        var held = undecided && !AnswerValidator.IsNotCovered(raw.ToString()) ? renumberer.Append(raw.ToString()) : "";
        if (!notCovered && held + renumberer.Flush() is { Length: > 0 } rest)
            yield return new LlmTextDelta(rest);

        RecordSuccess("answer", started, raw.ToString());
        var answer = Check(raw.ToString(), sources);
        if (answer is null)
            await CancelAsync(suggestions);
        yield return new LlmCompleted(answer is null ? null : answer with { Suggestions = await CollectAsync(suggestions) });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _suggestions.Dispose();
    }

    private IReadOnlyList<PackedSource> Pack(IReadOnlyList<SearchHit> hits)
        => SourcePacker.Pack(hits, _owner.Options.MaxSourceTokens, _owner.Options.MaxSources);

    private static Dictionary<string, string> AnswerValues(string question, IReadOnlyList<PriorTurn> history, IReadOnlyList<PackedSource> sources) => new()
    {
        ["question"] = question,
        ["history"] = FormatHistory(history),
        ["sources"] = SourcePacker.Format(sources),
    };

    private LlmAnswer? Check(string reply, IReadOnlyList<PackedSource> sources)
    {
        var validated = AnswerValidator.Validate(reply, sources);
        LlmLog.AnswerValidated(_owner.Logger, validated.Citations.Count, sources.Count, validated.RemovedMarkers, !validated.NotCovered);
        if (!validated.IsUsable)
        {
            LlmLog.NoValidCitations(_owner.Logger, sources.Count, validated.RemovedMarkers);
            return null;
        }
        return new LlmAnswer(validated.Text, Grounded: !validated.NotCovered, validated.Citations, Suggestions: null);
    }

    // Suggestions are asked for alongside the answer so they add no waiting; they never fail the turn.
    private async Task<IReadOnlyList<string>?> StartSuggestions(string question, IReadOnlyList<PackedSource> sources)
    {
        if (!_owner.Options.GenerateSuggestions)
            return null;
        var values = new Dictionary<string, string>
        {
            ["question"] = question,
            ["sources"] = SourcePacker.Format(sources),
            ["count"] = LlmAnswerer.SuggestionCount.ToString(CultureInfo.InvariantCulture),
        };
        try
        {
            var result = await _owner.Kernel.InvokeAsync(_owner.Prompts.SuggestionsFunction,
                Arguments(LlmCallOptions.SuggestionsPurpose, values, maxOutputTokens: 200), _suggestions.Token);
            var suggestions = (result.GetValue<string>() ?? "")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => ListMarker().Replace(line, "").Trim().Trim('"', '“', '”'))
                .Where(line => line.EndsWith('?') && line.Length is > 8 and <= 200)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Take(LlmAnswerer.SuggestionCount)
                .ToList();
            return suggestions.Count > 0 ? suggestions : null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !_callerToken.IsCancellationRequested)
        {
            LlmLog.SuggestionsUnavailable(_owner.Logger, exception is LlmCallException call ? call.Message : exception.GetType().Name);
            return null;
        }
    }

    private async Task CancelAsync(Task<IReadOnlyList<string>?> suggestions)
    {
        await _suggestions.CancelAsync();
        await suggestions;
    }

    private async Task<IReadOnlyList<string>?> CollectAsync(Task<IReadOnlyList<string>?> suggestions)
    {
        if (await Task.WhenAny(suggestions, Task.Delay(SuggestionGrace, _owner.Time, CancellationToken.None)) != suggestions)
            await _suggestions.CancelAsync();
        return await suggestions;
    }

    private async Task<string?> CallAsync(string purpose, KernelFunction function, Dictionary<string, string> values, int maxOutputTokens)
    {
        if (_failed)
            return null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await _owner.Kernel.InvokeAsync(function, Arguments(purpose, values, maxOutputTokens), _callerToken);
            var text = result.GetValue<string>();
            if (string.IsNullOrWhiteSpace(text))
                throw new LlmCallException(LlmFailureKind.MalformedOutput, "the reply held no text");
            RecordSuccess(purpose, started, text);
            return text;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !_callerToken.IsCancellationRequested)
        {
            RecordFailure(purpose, exception, started);
            return null;
        }
    }

    // The settings travel to the chat client as ChatOptions: max_tokens and temperature as such, the purpose and the
    // deadline as additional properties for the pipeline's circuit breaker and timeout layers.
    private KernelArguments Arguments(string purpose, IReadOnlyDictionary<string, string> values, int maxOutputTokens)
        => ChatPrompt.Arguments(new Dictionary<string, string>(values) { ["topic"] = Topic }, new PromptExecutionSettings
        {
            ExtensionData = new Dictionary<string, object>
            {
                ["max_tokens"] = maxOutputTokens,
                ["temperature"] = _owner.Options.Temperature,
                [LlmCallOptions.PurposeKey] = purpose,
                [LlmCallOptions.DeadlineKey] = _deadline,
            },
        });

    private void RecordSuccess(string purpose, long started, string reply)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        LlmLog.CallSucceeded(_owner.Logger, purpose, (long)elapsed.TotalMilliseconds);
        if (_owner.Logger.IsEnabled(LogLevel.Trace))
            LlmLog.Reply(_owner.Logger, purpose, reply);
    }

    private void RecordFailure(string purpose, Exception exception, long started)
    {
        // The pipeline's circuit breaker has recorded the failure already; the turn only stops and says why.
        _failed = true;
        var elapsed = Stopwatch.GetElapsedTime(started);
        var failure = LlmFailure.Classify(exception, CancellationToken.None)!;
        if (failure.Kind == LlmFailureKind.CircuitOpen)
            LlmLog.CircuitOpen(_owner.Logger, purpose, failure.Detail);
        else
            LlmLog.CallFailed(_owner.Logger, purpose, (long)elapsed.TotalMilliseconds, LlmHealth.Describe(failure.Kind), failure.Detail);
    }

    // Earlier answers lose their [n] markers: those numbers referred to other sources.
    private static string FormatHistory(IReadOnlyList<PriorTurn> history)
    {
        if (history.Count == 0)
            return "(none)";
        var text = new StringBuilder();
        foreach (var turn in history.TakeLast(MaxHistoryTurns))
        {
            var answer = MarkerPattern().Replace(turn.Answer, "").Trim();
            if (answer.Length > MaxHistoryAnswerLength)
                answer = answer[..MaxHistoryAnswerLength] + "…";
            text.Append("User: ").Append(turn.Question.Trim()).Append('\n');
            text.Append("Advisor: ").Append(answer).Append('\n');
        }
        return text.ToString().TrimEnd();
    }

    [GeneratedRegex(@"\s?\[\d+(?:\s*,\s*\d+)*\]")]
    private static partial Regex MarkerPattern();

    [GeneratedRegex(@"^(?:standalone\s+)?(?:search\s+)?query\s*:\s*", RegexOptions.IgnoreCase)]
    private static partial Regex QueryLabel();

    [GeneratedRegex(@"^(?:[-*•]\s+|\d+[.)]\s+)")]
    private static partial Regex ListMarker();
}

/// <summary>Logs each rendered prompt at Trace: prompts hold the user's question and are never logged above that.</summary>
internal sealed class PromptTraceFilter(ILogger logger) : IPromptRenderFilter
{
    /// <inheritdoc />
    public async Task OnPromptRenderAsync(PromptRenderContext context, Func<PromptRenderContext, Task> next)
    {
        await next(context);
        if (logger.IsEnabled(LogLevel.Trace))
            LlmLog.Prompt(logger, context.Function.Name, context.RenderedPrompt ?? "");
    }
}
