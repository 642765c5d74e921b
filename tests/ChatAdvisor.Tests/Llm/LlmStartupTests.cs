using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ChatAdvisor.Core.Answering.Llm;
using ChatAdvisor.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace ChatAdvisor.Tests.Llm;

public sealed class LlmStartupTests : IDisposable
{
    private readonly string _prompts = Path.Combine(Path.GetTempPath(), "chatadvisor-prompts-" + Guid.NewGuid().ToString("N"));

    public LlmStartupTests()
    {
        Directory.CreateDirectory(_prompts);
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "prompts")))
            File.Copy(file, Path.Combine(_prompts, Path.GetFileName(file)));
    }

    public void Dispose() => Directory.Delete(_prompts, recursive: true);

    [Fact]
    public async Task StartAsync_PromptWithUnknownPlaceholder_FailsNamingTheFile()
    {
        var path = Path.Combine(_prompts, "suggestions.txt");
        File.AppendAllText(path, "Mention {{$framework_of_the_day}}.");

        var error = await Assert.ThrowsAsync<PromptTemplateException>(() => TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Llm:Provider"] = "openai",
            ["Llm:Endpoint"] = "http://127.0.0.1:9/v1",
            ["Llm:PromptsPath"] = _prompts,
        }));

        Assert.Contains(path, error.Message);
        Assert.Contains("{{$framework_of_the_day}}", error.Message);
    }

    [Fact]
    public async Task StartAsync_ProviderNoneWithBrokenPrompts_StartsBecausePromptsAreUnused()
    {
        File.WriteAllText(Path.Combine(_prompts, "answer.txt"), "{{$nonsense}}");

        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Llm:PromptsPath"] = _prompts });

        var ready = await (await server.Client.GetAsync("/readyz")).Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains("extractive", ready!["components"]!["llm"]!["detail"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("Provider", "claude", "Llm:Provider")]
    [InlineData("TimeoutSeconds", "0", "Llm:TimeoutSeconds")]
    [InlineData("Deployment", "", "Llm:Deployment")]
    public async Task StartAsync_InvalidSetting_FailsNamingTheSetting(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Llm:Provider"] = "azure-openai",
            ["Llm:Endpoint"] = "https://example.openai.azure.com",
            ["Llm:ApiKey"] = "k",
            ["Llm:Deployment"] = "d",
            ["Llm:" + key] = value,
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestServer.StartAsync(settings));

        Assert.Contains(named, error.Message);
    }
}
