using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using ChatAdvisor.Core.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
/// Writes answers with a language model (any <see cref="IChatClient"/>): rewrites follow-ups into search queries,
/// answers from numbered sources and checks the citations. Every failure (timeout, 429, 5xx, refused connection,
/// malformed or uncited output, open circuit) yields null so the caller answers extractively. Thread-safe singleton;
/// one <see cref="LlmTurn"/> per question.
/// </summary>
public sealed class LlmAnswerer(
    IChatClient chatClient,
    PromptLibrary prompts,
    IOptions<LlmOptions> options,
    LlmHealth health,
    TimeProvider time,
    ILogger<LlmAnswerer> logger)
{
    /// <summary>How many suggestions are asked for.</summary>
    internal const int SuggestionCount = 3;

    internal IChatClient ChatClient => chatClient;
    internal PromptLibrary Prompts => prompts;
    internal LlmOptions Options => options.Value;
    internal LlmHealth Health => health;
    internal TimeProvider Time => time;
    internal ILogger Logger => logger;

    /// <summary>
    /// Starts the model's part of answering one question. Every call of the turn shares one deadline of
    /// <see cref="LlmOptions.TimeoutSeconds"/>, and after a failure the turn makes no further calls.
    /// </summary>
    public LlmTurn BeginTurn(CancellationToken cancellationToken = default) => new(this, cancellationToken);
}

/// <summary>
/// The model's part of answering one question. Its methods take no cancellation token of their own: the token given
/// to <see cref="LlmAnswerer.BeginTurn"/> and the turn's deadline cancel every call. Not thread-safe; dispose when the
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
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _suggestions;
    private bool _failed;

    internal LlmTurn(LlmAnswerer owner, CancellationToken cancellationToken)
    {
        _owner = owner;
        _callerToken = cancellationToken;
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _deadline.CancelAfter(owner.Options.Timeout);
        _suggestions = CancellationTokenSource.CreateLinkedTokenSource(_deadline.Token);
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
        var prompt = _owner.Prompts.Rewrite.Render(new Dictionary<string, string>
        {
            ["question"] = question,
            ["history"] = FormatHistory(history),
        });
        var reply = await CallAsync("rewrite", [new ChatMessage(ChatRole.User, prompt)], maxOutputTokens: 100);
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
        if (sources.Count == 0 || _failed || !IsCallAllowed("answer"))
            return null;
        var suggestions = StartSuggestions(question, sources);
        var reply = await CallAsync("answer", AnswerMessages(question, history, sources), _owner.Options.MaxOutputTokens);
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
        if (sources.Count == 0 || _failed || !IsCallAllowed("answer"))
        {
            yield return new LlmCompleted(null);
            yield break;
        }

        var suggestions = StartSuggestions(question, sources);
        var messages = AnswerMessages(question, history, sources);
        var renumberer = new CitationRenumberer(sources.Count);
        var raw = new StringBuilder();
        var notCovered = false;
        var undecided = true; // the start of the reply could still be the "not covered" sentinel
        var started = Stopwatch.GetTimestamp();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_deadline.Token, cancellationToken);
        var updates = _owner.ChatClient.GetStreamingResponseAsync(messages, ChatOptions(_owner.Options.MaxOutputTokens), linked.Token)
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
                    text = updates.Current.Text;
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
        _deadline.Dispose();
    }

    private IReadOnlyList<PackedSource> Pack(IReadOnlyList<SearchHit> hits)
        => SourcePacker.Pack(hits, _owner.Options.MaxSourceTokens, _owner.Options.MaxSources);

    private List<ChatMessage> AnswerMessages(string question, IReadOnlyList<PriorTurn> history, IReadOnlyList<PackedSource> sources)
    {
        var prompt = _owner.Prompts.Answer.Render(new Dictionary<string, string>
        {
            ["question"] = question,
            ["history"] = FormatHistory(history),
            ["sources"] = SourcePacker.Format(sources),
        });
        return
        [
            new ChatMessage(ChatRole.System, _owner.Prompts.System.Render(new Dictionary<string, string>())),
            new ChatMessage(ChatRole.User, prompt),
        ];
    }

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
        var prompt = _owner.Prompts.Suggestions.Render(new Dictionary<string, string>
        {
            ["question"] = question,
            ["sources"] = SourcePacker.Format(sources),
            ["count"] = LlmAnswerer.SuggestionCount.ToString(CultureInfo.InvariantCulture),
        });
        try
        {
            var response = await _owner.ChatClient.GetResponseAsync([new ChatMessage(ChatRole.User, prompt)], ChatOptions(200), _suggestions.Token);
            var suggestions = response.Text
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

    private async Task<string?> CallAsync(string purpose, List<ChatMessage> messages, int maxOutputTokens)
    {
        if (_failed || !IsCallAllowed(purpose))
            return null;
        if (_owner.Logger.IsEnabled(LogLevel.Trace))
            LlmLog.Prompt(_owner.Logger, purpose, string.Join("\n---\n", messages.Select(m => m.Text)));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await _owner.ChatClient.GetResponseAsync(messages, ChatOptions(maxOutputTokens), _deadline.Token);
            var text = response.Text;
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

    private bool IsCallAllowed(string purpose)
    {
        if (_owner.Health.IsCallAllowed())
            return true;
        LlmLog.CircuitOpen(_owner.Logger, purpose, _owner.Health.OpenUntil());
        _failed = true;
        return false;
    }

    private ChatOptions ChatOptions(int maxOutputTokens) => new()
    {
        MaxOutputTokens = maxOutputTokens,
        Temperature = (float)_owner.Options.Temperature,
    };

    private void RecordSuccess(string purpose, long started, string reply)
    {
        var elapsed = Stopwatch.GetElapsedTime(started);
        _owner.Health.RecordSuccess(elapsed);
        LlmLog.CallSucceeded(_owner.Logger, purpose, (long)elapsed.TotalMilliseconds);
        if (_owner.Logger.IsEnabled(LogLevel.Trace))
            LlmLog.Reply(_owner.Logger, purpose, reply);
    }

    private void RecordFailure(string purpose, Exception exception, long started)
    {
        _failed = true;
        var elapsed = Stopwatch.GetElapsedTime(started);
        var (kind, detail, retryAfter) = exception switch
        {
            OperationCanceledException => (LlmFailureKind.Timeout, $"no reply within {_owner.Options.TimeoutSeconds.ToString(CultureInfo.InvariantCulture)} s", (TimeSpan?)null),
            LlmCallException call => (call.Kind, call.Message, call.RetryAfter),
            HttpRequestException http => (LlmFailureKind.Unreachable, http.HttpRequestError.ToString(), null),
            _ => (LlmFailureKind.MalformedOutput, exception.GetType().Name, null),
        };
        _owner.Health.RecordFailure(kind, detail, retryAfter);
        LlmLog.CallFailed(_owner.Logger, purpose, (long)elapsed.TotalMilliseconds, LlmHealth.Describe(kind), detail);
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
