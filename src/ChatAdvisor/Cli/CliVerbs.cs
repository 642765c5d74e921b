namespace ChatAdvisor.Cli;

/// <summary>The command-line verbs of the executable: ask, chat, index, eval.</summary>
public static class CliVerbs
{
    private static readonly string[] Verbs = ["ask", "chat", "index", "eval", "models", "help", "--help", "-h"];

    /// <summary>True when <paramref name="arg"/> names a verb (as opposed to a host argument such as --urls).</summary>
    public static bool IsVerb(string arg) => Verbs.Contains(arg, StringComparer.Ordinal);

    /// <summary>Runs the verb in <paramref name="args"/>[0] and returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args) => args is ["models", ..] ? ModelsCommand.RunAsync(args[1..]) : Task.FromResult(0);
}
