namespace ChatAdvisor.Tests.Llm;

/// <summary>A server-sent event as a client sees it.</summary>
public sealed record SseEvent(string Event, string Data);

/// <summary>Reads a <c>text/event-stream</c> body into its events (per the HTML living standard's parsing rules, minus retry/id).</summary>
public static class SseReader
{
    public static async Task<IReadOnlyList<SseEvent>> ReadAllAsync(HttpResponseMessage response)
    {
        var events = new List<SseEvent>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? eventName = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0)
                    events.Add(new SseEvent(eventName ?? "message", string.Join('\n', data)));
                eventName = null;
                data.Clear();
                continue;
            }
            if (line.StartsWith(':'))
                continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
                value = value[1..];
            if (field == "event")
                eventName = value;
            else if (field == "data")
                data.Add(value);
        }
        if (data.Count > 0)
            events.Add(new SseEvent(eventName ?? "message", string.Join('\n', data)));
        return events;
    }
}
