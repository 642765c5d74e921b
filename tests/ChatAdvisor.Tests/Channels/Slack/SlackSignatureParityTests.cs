using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChatAdvisor.Channels.Slack;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Tests.Channels.Slack;

/// <summary>
/// Our signature check against @slack/bolt's request verification (npm), on the same secret, bodies, headers and clock:
/// requests both accept and requests both reject, with the one documented difference (a timestamp more than five
/// minutes in the future, which bolt accepts and we refuse).
/// </summary>
public sealed class SlackSignatureParityTests
{
    private const string Secret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const long Now = 1_763_700_000;

    private sealed class FixedClock(long unixSeconds) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
    }

    private sealed record Case(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("secret")] string Secret,
        [property: JsonPropertyName("body")] string Body,
        [property: JsonPropertyName("contentType")] string ContentType,
        [property: JsonPropertyName("headers")] Dictionary<string, string> Headers,
        [property: JsonPropertyName("nowMs")] long NowMs,
        [property: JsonPropertyName("sign")] bool Sign,
        [property: JsonIgnore] bool WeAccept,
        [property: JsonIgnore] bool BoltAccepts);

    private sealed record BoltVerdict(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("signature")] string? Signature,
        [property: JsonPropertyName("accepted")] bool Accepted,
        [property: JsonPropertyName("reason")] string? Reason);

    private static readonly (string Name, string ContentType, string Body)[] Bodies =
    [
        ("mention", "application/json",
            """{"token":"x","team_id":"T0TEAM1","event":{"type":"app_mention","user":"U0USER1","text":"<@U0BOT1> Django ou FastAPI ? Qu'est-ce qui est le plus rapide 🚀","ts":"1763699990.000100","channel":"C0CHAN1"},"type":"event_callback","event_id":"Ev0000000001","event_time":1763699990}"""),
        ("button click", "application/x-www-form-urlencoded",
            "payload=" + Uri.EscapeDataString("""{"type":"block_actions","actions":[{"action_id":"followup-0","value":"What about Flask & <SQLAlchemy>?"}]}""")),
        ("multi-line body", "application/json", "{\r\n  \"type\": \"url_verification\",\r\n  \"challenge\": \"abc\"\r\n}\n"),
        ("empty body", "application/json", ""),
    ];

    [Fact]
    public async Task Verify_SameRequestsAsBolt_SameVerdicts()
    {
        var cases = Bodies.SelectMany(b => CasesFor(b.Name, b.ContentType, b.Body)).ToList();
        var path = Path.Combine(Path.GetTempPath(), $"slack-signature-cases-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(cases));
        NodeResult node;
        try
        {
            node = await NodeProcess.RunAsync(Path.Combine(RepoPaths.Root, "tests", "js", "slack"), ["signatures.js", path]);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.True(node.ExitCode == 0, node.ToString());
        var verdicts = JsonSerializer.Deserialize<List<BoltVerdict>>(node.StandardOutput)!.ToDictionary(v => v.Name);
        Assert.Equal(cases.Count, verdicts.Count);

        var disagreements = new List<string>();
        foreach (var testCase in cases)
        {
            var bolt = verdicts[testCase.Name];
            var verifier = new SlackSignatureVerifier(Options.Create(new SlackOptions { SigningSecret = testCase.Secret, BotToken = "xoxb-test" }), new FixedClock(testCase.NowMs / 1000));
            var ours = verifier.Verify(
                testCase.Headers.GetValueOrDefault("x-slack-request-timestamp"),
                bolt.Signature,
                Encoding.UTF8.GetBytes(testCase.Body));
            var weAccept = ours == SlackSignatureStatus.Valid;
            if (weAccept != testCase.WeAccept || bolt.Accepted != testCase.BoltAccepts)
            {
                disagreements.Add($"{testCase.Name}: ours {ours} (expected {(testCase.WeAccept ? "accept" : "reject")}), "
                    + $"bolt {(bolt.Accepted ? "accepted" : "rejected: " + bolt.Reason)} (expected {(testCase.BoltAccepts ? "accept" : "reject")})");
            }
        }
        Assert.True(disagreements.Count == 0, string.Join('\n', disagreements));
        // The check can fail both ways: the table holds requests both accept and requests both reject.
        Assert.Contains(cases, c => c.WeAccept && c.BoltAccepts);
        Assert.Contains(cases, c => !c.WeAccept && !c.BoltAccepts);
    }

    private static IEnumerable<Case> CasesFor(string bodyName, string contentType, string body)
    {
        string Ts(long seconds) => seconds.ToString(CultureInfo.InvariantCulture);
        string Sign(string secret, string ts, string text) => SlackSignatureVerifier.Sign(secret, ts, Encoding.UTF8.GetBytes(text));
        Case Make(string name, string sentBody, Dictionary<string, string> headers, bool both, bool sign = false, bool? bolt = null)
            => new($"{bodyName}: {name}", Secret, sentBody, contentType, headers, Now * 1000 + 400, sign, both, bolt ?? both);
        Dictionary<string, string> Headers(string ts, string? signature)
            => signature is null ? new() { ["x-slack-request-timestamp"] = ts } : new() { ["x-slack-request-timestamp"] = ts, ["x-slack-signature"] = signature };

        var now = Ts(Now);
        var valid = Sign(Secret, now, body);
        yield return Make("signed by us now", body, Headers(now, valid), both: true);
        yield return Make("signed by the Node.js peer now", body, Headers(now, null), both: true, sign: true);
        yield return Make("signed 300 s ago", body, Headers(Ts(Now - 300), Sign(Secret, Ts(Now - 300), body)), both: true);
        yield return Make("signed 301 s ago", body, Headers(Ts(Now - 301), Sign(Secret, Ts(Now - 301), body)), both: false);
        yield return Make("signed 300 s ahead", body, Headers(Ts(Now + 300), Sign(Secret, Ts(Now + 300), body)), both: true);
        // bolt only refuses stale requests; the replay window is symmetric here.
        yield return Make("signed 301 s ahead", body, Headers(Ts(Now + 301), Sign(Secret, Ts(Now + 301), body)), both: false, bolt: true);
        yield return Make("body changed after signing", body + " ", Headers(now, valid), both: false);
        yield return Make("timestamp changed after signing", body, Headers(Ts(Now - 1), valid), both: false);
        yield return Make("signed with another secret", body, Headers(now, Sign("another-secret", now, body)), both: false);
        yield return Make("signature in upper case", body, Headers(now, "v0=" + valid[3..].ToUpperInvariant()), both: false);
        yield return Make("v1 scheme", body, Headers(now, "v1=" + valid[3..]), both: false);
        yield return Make("signature cut short", body, Headers(now, valid[..^2]), both: false);
        yield return Make("signature without scheme", body, Headers(now, valid[3..]), both: false);
        yield return Make("signature header missing", body, Headers(now, null), both: false);
        yield return Make("timestamp header missing", body, new() { ["x-slack-signature"] = valid }, both: false);
        yield return Make("timestamp not a number", body, Headers("soon", Sign(Secret, "soon", body)), both: false);
        yield return Make("timestamp with a leading zero", body, Headers("0" + now, Sign(Secret, "0" + now, body)), both: false);
    }
}
