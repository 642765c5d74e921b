using System.Diagnostics;

namespace ChatAdvisor.Testing;

/// <summary>The outcome of a Node.js run.</summary>
public sealed record NodeResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Both streams, for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}

/// <summary>Runs Node.js scripts that check the product against independent JavaScript peers.</summary>
public static class NodeProcess
{
    /// <summary>
    /// Runs <c>node {arguments}</c> in <paramref name="workingDirectory"/> (a folder with its own package.json).
    /// Fails with a message naming the command to run when its node_modules folder is missing.
    /// </summary>
    public static async Task<NodeResult> RunAsync(string workingDirectory, IEnumerable<string> arguments,
        IDictionary<string, string>? environment = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (File.Exists(Path.Combine(workingDirectory, "package.json")) && !Directory.Exists(Path.Combine(workingDirectory, "node_modules")))
            throw new InvalidOperationException($"{Path.Combine(workingDirectory, "node_modules")} is missing: run `npm ci` in {workingDirectory} (./test.sh does it).");

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
                start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started; is Node.js installed?");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {string.Join(' ', start.ArgumentList)} did not finish in time.\n{await stdout}\n{await stderr}");
        }
        return new NodeResult(process.ExitCode, await stdout, await stderr);
    }
}
