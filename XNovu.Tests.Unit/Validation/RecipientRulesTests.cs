using System.Text;
using System.Text.Json;
using XNovu.Core.Validation;

namespace XNovu.Tests.Unit.Validation;

/// <summary>The one recipient rule set and the unstorable-text check, as every endpoint applies them.</summary>
public sealed class RecipientRulesTests
{
    private static (string? Stored, List<TextFault> Problems) List(string json, int min = 1)
    {
        var problems = new List<TextFault>();
        var stored = Recipients.List(JsonDocument.Parse(json).RootElement, "to", min, Recipients.MaxCount, problems);
        return (stored?.ToJsonString(), problems);
    }

    [Fact]
    public void Known_fields_match_case_insensitively_and_are_stored_in_novus_spelling()
    {
        var (stored, problems) = List("""[{"SUBSCRIBERID":"ann","Email":"a@b.c","TimeZone":"Europe/Paris","data":{"x":1},"channels":[]}, "bob"]""");

        Assert.Empty(problems);
        Assert.Equal("""[{"subscriberId":"ann","email":"a@b.c","timezone":"Europe/Paris","data":{"x":1},"channels":[]},"bob"]""", stored);
    }

    [Theory]
    [InlineData("""[{"subscriberId":"x","timezone":5}]""", "to[0].timezone")]
    [InlineData("""[{"subscriberId":"x","Locale":true}]""", "to[0].Locale")]
    [InlineData("""[{"subscriberId":"x","data":"text"}]""", "to[0].data")]
    [InlineData("""[{"subscriberId":"x","channels":{}}]""", "to[0].channels")]
    [InlineData("""[{"subscriberId":"x","emial":"a@b.c"}]""", "to[0].emial")]
    [InlineData("""[{"subscriberId":"x","email":"a","EMAIL":"b"}]""", "to[0].EMAIL")]
    [InlineData("""[{"email":"a@b.c"}]""", "to[0].subscriberId")]
    [InlineData("""[{"subscriberId":7}]""", "to[0].subscriberId")]
    [InlineData("""["ok", 5]""", "to[1]")]
    [InlineData("""[" "]""", "to[0]")]
    [InlineData("""[]""", "to")]
    [InlineData("""{"subscriberId":"x"}""", "to")]
    public void A_bad_recipient_is_refused_naming_its_field(string json, string field)
    {
        var (stored, problems) = List(json);

        Assert.Null(stored);
        Assert.Contains(problems, p => p.Field == field);
    }

    [Fact]
    public void More_than_one_hundred_recipients_are_refused()
    {
        var json = JsonSerializer.Serialize(Enumerable.Range(0, 101).Select(i => $"s{i}"));

        var (stored, problems) = List(json);

        Assert.Null(stored);
        Assert.Contains("101", Assert.Single(problems).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"a":{"b":["ok","x\u0000y"]}}""", "a.b[1]", TextSafety.NulMessage)]
    [InlineData("""{"a":"\ud800"}""", "a", TextSafety.SurrogateMessage)]
    [InlineData("""{"a":"x\udc00"}""", "a", TextSafety.SurrogateMessage)]
    [InlineData("""{"k\u0000":1}""", "k\\u0000", TextSafety.NulMessage)]
    [InlineData("""[{"x":1},{"y":["\u0000"]}]""", "[1].y[0]", TextSafety.NulMessage)]
    public void Unstorable_text_is_found_and_named_in_raw_json_and_in_a_parsed_element(string json, string field, string message)
    {
        var raw = TextSafety.Scan(Encoding.UTF8.GetBytes(json));
        var parsed = TextSafety.Scan(JsonDocument.Parse(json).RootElement);

        Assert.Equal(new TextFault(field, message), raw);
        Assert.Equal(new TextFault(field, message), parsed);
    }

    [Fact]
    public void Paired_surrogates_and_ordinary_text_are_storable()
    {
        Assert.Null(TextSafety.Scan(Encoding.UTF8.GetBytes("""{"emoji":"\ud83d\ude00 😀","name":"Zoë"}""")));
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        byte[] json = [.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.Equal(TextSafety.Utf8Message, TextSafety.Scan(json)?.Message);
    }
}
