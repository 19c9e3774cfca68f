using XNovu.Core.Novu;

namespace XNovu.Tests.Unit.Novu;

/// <summary>The transaction id Novu knows a delivery by: the caller's, scoped to its enterprise, within Novu's key limit.</summary>
public sealed class NovuTransactionIdTests
{
    private static readonly Guid A = Guid.Parse("0195f0a1-1111-7000-8000-00000000000a");
    private static readonly Guid B = Guid.Parse("0195f0a1-2222-7000-8000-00000000000b");

    [Fact]
    public void A_short_printable_id_is_the_enterprise_then_the_callers_id() =>
        Assert.Equal($"{A:N}:order-97ba90", NovuNames.TransactionId(A, "order-97ba90"));

    [Fact]
    public void The_same_id_of_two_enterprises_is_two_ids_in_Novu()
    {
        Assert.NotEqual(NovuNames.TransactionId(A, "order-97ba90"), NovuNames.TransactionId(B, "order-97ba90"));
        var longId = new string('x', 255);
        Assert.NotEqual(NovuNames.TransactionId(A, longId), NovuNames.TransactionId(B, longId));
    }

    [Fact]
    public void It_is_stable_so_a_retry_carries_the_same_Idempotency_Key()
    {
        var longId = new string('y', 300);
        Assert.Equal(NovuNames.TransactionId(A, "order-1-2"), NovuNames.TransactionId(A, "order-1-2"));
        Assert.Equal(NovuNames.TransactionId(A, longId), NovuNames.TransactionId(A, longId));
    }

    [Theory]
    [InlineData(222)] // the longest that fits plain: 32 + 1 + 222 = 255
    [InlineData(223)]
    [InlineData(255)]
    [InlineData(261)] // the API's longest id with a delivery's -nnnnn suffix
    [InlineData(5000)]
    public void No_id_passes_Novus_Idempotency_Key_limit(int length)
    {
        var scoped = NovuNames.TransactionId(A, new string('t', length));

        Assert.True(scoped.Length <= NovuNames.MaxTransactionIdLength, $"{scoped.Length} characters");
        Assert.StartsWith(A.ToString("N"), scoped, StringComparison.Ordinal);
        Assert.Equal(length <= 222, scoped.StartsWith($"{A:N}:", StringComparison.Ordinal));
    }

    [Fact]
    public void Long_ids_that_share_their_head_stay_distinct()
    {
        var head = new string('h', 250);

        var first = NovuNames.TransactionId(A, head + "-1");
        var second = NovuNames.TransactionId(A, head + "-2");

        Assert.NotEqual(first, second);
        Assert.Equal(first[..200], second[..200]);
    }

    [Theory]
    [InlineData("bestellung-ü")]
    [InlineData("order 1")]
    [InlineData("order\n1")]
    [InlineData("注文-1")]
    public void An_id_a_header_cannot_carry_is_hashed_into_printable_ASCII(string transactionId)
    {
        var scoped = NovuNames.TransactionId(A, transactionId);

        Assert.All(scoped, c => Assert.InRange(c, '!', '~'));
        Assert.StartsWith($"{A:N}.", scoped, StringComparison.Ordinal);
        Assert.NotEqual(scoped, NovuNames.TransactionId(A, transactionId + "x"));
    }

    [Fact]
    public void A_callers_id_never_imitates_a_hashed_one()
    {
        var hashed = NovuNames.TransactionId(A, new string('z', 400));
        // The same text as the hashed form's tail, given as an id, stays a plain (colon) id.
        var imitation = NovuNames.TransactionId(A, hashed[33..]);

        Assert.NotEqual(hashed, imitation);
        Assert.StartsWith($"{A:N}:", imitation, StringComparison.Ordinal);
    }
}
