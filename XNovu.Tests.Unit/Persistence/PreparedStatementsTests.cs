using Npgsql;
using XNovu.Core.Persistence;

namespace XNovu.Tests.Unit.Persistence;

/// <summary>Which connection strings let Npgsql prepare repeated statements.</summary>
public sealed class PreparedStatementsTests
{
    [Fact]
    public void A_connection_string_that_says_nothing_prepares_statements_used_five_times()
    {
        var connectionString = new NpgsqlConnectionStringBuilder("Host=db;Username=xnovu_api");

        XNovuDatabase.PrepareRepeatedStatements(connectionString);

        Assert.Equal(XNovuDatabase.AutoPreparedStatements, connectionString.MaxAutoPrepare);
        Assert.Equal(5, connectionString.AutoPrepareMinUsages);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;max auto prepare=8", 8)]
    public void A_connection_string_that_sets_it_wins(string given, int expected)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(given);

        XNovuDatabase.PrepareRepeatedStatements(connectionString);

        Assert.Equal(expected, connectionString.MaxAutoPrepare);
    }

    [Fact]
    public void A_connection_string_that_says_nothing_returns_connections_without_a_session_reset()
    {
        var connectionString = new NpgsqlConnectionStringBuilder("Host=db;Username=xnovu_api");

        XNovuDatabase.SkipSessionReset(connectionString);

        Assert.True(connectionString.NoResetOnClose);
    }

    [Fact]
    public void A_connection_string_that_asks_for_the_reset_keeps_it()
    {
        var connectionString = new NpgsqlConnectionStringBuilder("Host=db;No Reset On Close=false");

        XNovuDatabase.SkipSessionReset(connectionString);

        Assert.False(connectionString.NoResetOnClose);
    }

    [Fact]
    public void The_pool_settings_of_a_service_data_source_are_both_applied()
    {
        var connectionString = new NpgsqlConnectionStringBuilder("Host=db;Username=xnovu_dispatcher");

        XNovuDatabase.ApplyPoolSettings(connectionString);

        Assert.Equal(XNovuDatabase.AutoPreparedStatements, connectionString.MaxAutoPrepare);
        Assert.True(connectionString.NoResetOnClose);
    }
}
