using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json.Nodes;
using ChatAdvisor.Channels.BotFramework;
using ChatAdvisor.Core;

namespace ChatAdvisor.Tests.Channels.BotFramework;

/// <summary>The Teams app package in infra/teams and the Azure Bot template in infra/azure.</summary>
public sealed class TeamsAppPackageTests
{
    private static string TeamsFolder => Path.Combine(RepoPaths.Root, "infra", "teams");

    private static JsonObject Manifest => JsonNode.Parse(File.ReadAllText(Path.Combine(TeamsFolder, "manifest.json")))!.AsObject();

    [Fact]
    public async Task Manifest_TeamsSchemaOfItsVersion_IsValid()
    {
        var result = await NodeProcess.RunAsync(
            Path.Combine(RepoPaths.Root, "tests", "js", "teams-manifest"),
            ["validate.mjs", Path.Combine(TeamsFolder, "manifest.json")]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("valid against Teams manifest schema", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("color", 192)]
    [InlineData("outline", 32)]
    public void Manifest_Icon_IsAPngOfTheSizeTeamsRequires(string icon, int size)
    {
        var file = Path.Combine(TeamsFolder, Manifest["icons"]![icon]!.GetValue<string>());

        var png = Png.Read(file);

        Assert.Equal((size, size), (png.Width, png.Height));
    }

    [Fact]
    public void OutlineIcon_Pixels_AreWhiteOrTransparent()
    {
        var png = Png.Read(Path.Combine(TeamsFolder, Manifest["icons"]!["outline"]!.GetValue<string>()));

        var visible = png.Pixels.Where(p => p.A > 0).ToList();
        Assert.NotEmpty(visible);
        Assert.Contains(png.Pixels, p => p.A == 0);
        Assert.All(visible, p => Assert.Equal((255, 255, 255), (p.R, p.G, p.B)));
    }

    [Fact]
    public void Manifest_BotCommands_AreQuestionsTheAdvisorSuggests()
    {
        var commands = Manifest["bots"]![0]!["commandLists"]![0]!["commands"]!.AsArray();

        // The topic profile beside the corpus holds the starter questions the manifest repeats.
        var starters = ChatAdvisor.Core.Topics.TopicProfile.LoadFrom(Path.Combine(RepoPaths.Root, "corpus")).StarterQuestions;
        Assert.All(commands, c => Assert.Contains(c!["description"]!.GetValue<string>(), starters));
    }

    [Fact]
    public void BotTemplate_MessagingEndpoint_IsTheRouteTheServerMaps()
    {
        var bicep = File.ReadAllText(Path.Combine(RepoPaths.Root, "infra", "azure", "bot.bicep"));

        Assert.Contains($"'${{appBaseUrl}}{BotFrameworkApi.Route.TrimStart('/')}'", bicep, StringComparison.Ordinal);
        Assert.Contains($"'${{appBaseUrl}}{BotFrameworkApi.Route}'", bicep, StringComparison.Ordinal);
        Assert.Contains("'MsTeamsChannel'", bicep, StringComparison.Ordinal);
    }

    /// <summary>A minimal PNG reader for 8-bit RGBA images (what the icons are).</summary>
    private sealed record Png(int Width, int Height, IReadOnlyList<(byte R, byte G, byte B, byte A)> Pixels)
    {
        public static Png Read(string path)
        {
            var bytes = File.ReadAllBytes(path);
            Assert.Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
            int width = 0, height = 0;
            using var idat = new MemoryStream();
            for (var offset = 8; offset < bytes.Length;)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset));
                var type = System.Text.Encoding.ASCII.GetString(bytes, offset + 4, 4);
                var data = bytes.AsSpan(offset + 8, length);
                if (type == "IHDR")
                {
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    Assert.Equal(8, data[8]);  // bit depth
                    Assert.Equal(6, data[9]);  // colour type RGBA
                    Assert.Equal(0, data[12]); // not interlaced
                }
                else if (type == "IDAT")
                {
                    idat.Write(data);
                }
                offset += 12 + length;
            }

            idat.Position = 0;
            using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
            using var raw = new MemoryStream();
            inflater.CopyTo(raw);
            var scanlines = raw.ToArray();
            var stride = width * 4;
            var previous = new byte[stride];
            var pixels = new List<(byte, byte, byte, byte)>(width * height);
            for (var y = 0; y < height; y++)
            {
                var filter = scanlines[y * (stride + 1)];
                var line = scanlines.AsSpan(y * (stride + 1) + 1, stride).ToArray();
                for (var i = 0; i < stride; i++)
                {
                    int left = i >= 4 ? line[i - 4] : 0, up = previous[i], upLeft = i >= 4 ? previous[i - 4] : 0;
                    line[i] = (byte)(line[i] + filter switch
                    {
                        0 => 0,
                        1 => left,
                        2 => up,
                        3 => (left + up) / 2,
                        4 => Paeth(left, up, upLeft),
                        _ => throw new InvalidDataException($"PNG filter {filter}"),
                    });
                }
                for (var x = 0; x < width; x++)
                    pixels.Add((line[x * 4], line[x * 4 + 1], line[x * 4 + 2], line[x * 4 + 3]));
                previous = line;
            }
            return new Png(width, height, pixels);
        }

        private static int Paeth(int a, int b, int c)
        {
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }
}
