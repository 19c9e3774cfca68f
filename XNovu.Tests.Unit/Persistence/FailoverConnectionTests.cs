using Npgsql;
using XNovu.Api.Http;
using XNovu.Core.Persistence;

namespace XNovu.Tests.Unit.Persistence;

/// <summary>Issue 31: how a primary with standbys is named, and what a failover looks like to a caller.</summary>
public sealed class FailoverConnectionTests
{
    [Theory]
    [InlineData("Host=pg-a:5432,pg-b:5432", true)]
    [InlineData("Host=pg-a;Port=5432", false)]
    public void Several_hosts_make_a_multi_host_connection_string(string given, bool expected) =>
        Assert.Equal(expected, PostgresDataSources.IsMultiHost(new NpgsqlConnectionStringBuilder(given)));

    [Theory]
    [InlineData("Host=pg-a,pg-b", TargetSessionAttributes.Primary)]
    [InlineData("Host=pg-a,pg-b;Target Session Attributes=read-write", TargetSessionAttributes.ReadWrite)]
    [InlineData("Host=pg-a,pg-b;Target Session Attributes=prefer-standby", TargetSessionAttributes.PreferStandby)]
    public void The_services_write_to_the_primary_unless_the_connection_string_says_otherwise(string given, TargetSessionAttributes expected) =>
        Assert.Equal(expected, PostgresDataSources.TargetSession(new NpgsqlConnectionStringBuilder(given)));

    [Fact]
    public void A_data_source_over_several_hosts_asks_for_the_primary_and_rechecks_hosts_quickly()
    {
        using var dataSource = PostgresDataSources.Create("Host=pg-a:5432,pg-b:5432;Username=xnovu_api;Database=xnovu", null);

        // Not the bare multi-host source, which would hand out any host, but one bound to a target session.
        Assert.IsNotType<NpgsqlMultiHostDataSource>(dataSource);
        Assert.Equal(PostgresDataSources.HostRecheckSeconds, new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).HostRecheckSeconds);
    }

    [Fact]
    public void The_target_session_of_the_connection_string_is_accepted_by_the_services()
    {
        using var dataSource = PostgresDataSources.Create("Host=pg-a,pg-b;Target Session Attributes=primary;Username=xnovu_api", null);

        Assert.IsNotType<NpgsqlMultiHostDataSource>(dataSource);
    }

    [Fact]
    public void A_data_source_over_one_host_is_left_as_it_was()
    {
        using var dataSource = PostgresDataSources.Create("Host=pg-a;Username=xnovu_api;Database=xnovu", null);

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Null(settings.TargetSessionAttributes);
        Assert.Equal(10, settings.HostRecheckSeconds);
    }

    [Theory]
    [InlineData(PostgresErrorCodes.ReadOnlySqlTransaction)] // a standby, or a demoted primary, refusing a write
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    [InlineData(PostgresErrorCodes.CannotConnectNow)] // starting up, or still in recovery
    public void A_server_that_cannot_write_during_a_failover_is_an_outage_not_an_error(string sqlState) =>
        Assert.True(ProblemExceptionHandler.IsDatabaseUnavailable(new PostgresException("failover", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void No_primary_among_the_hosts_is_an_outage() =>
        Assert.True(ProblemExceptionHandler.IsDatabaseUnavailable(new NpgsqlException("No suitable host was found.")));
}
