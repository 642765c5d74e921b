using System.Reflection;
using ChatAdvisor.Core;
using Microsoft.Extensions.Logging;

namespace ChatAdvisor.Tests.Hosting;

/// <summary>Each log message has an event id of its own, so a log query by id finds one kind of event.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void LoggerMessages_AcrossTheHostAndTheCore_HaveDistinctEventIds()
    {
        var messages = new[] { typeof(Program).Assembly, typeof(Advisor).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (Method: method, Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (Id: m.Attribute!.EventId, Name: m.Method.DeclaringType!.Name + "." + m.Method.Name))
            .ToList();

        Assert.True(messages.Count > 50, $"the log messages were found: {messages.Count}");
        var collisions = messages.GroupBy(m => m.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Name))}").ToList();
        Assert.True(collisions.Count == 0, "event ids used more than once:\n" + string.Join("\n", collisions));
    }
}
