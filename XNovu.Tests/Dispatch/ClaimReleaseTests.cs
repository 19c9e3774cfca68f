using Dapper;
using XNovu.Tests.Infrastructure;

namespace XNovu.Tests.Dispatch;

/// <summary>
/// <c>notify.release_deliveries</c>, which a stopping dispatcher calls once its loops have ended: it ends the leases the
/// worker still holds and touches nothing else. Run inside one transaction that is rolled back, so the suite's live
/// dispatchers never see the rows. That the next claim takes a released delivery over is
/// <c>OutageTests.A_batch_the_drain_cannot_finish_is_released_at_stop_and_taken_over_before_its_lease_would_end</c>.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ClaimReleaseTests(XNovuAppFixture fixture)
{
    [Fact]
    public async Task A_release_ends_only_the_leases_its_worker_holds_on_unfinished_deliveries()
    {
        var enterprise = await fixture.CreateEnterpriseAsync();
        await using var connection = await fixture.OpenOwnerConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(
            $"""
            INSERT INTO notify.ent_notification (enterprise_id, workflow_key, payload, recipients, transaction_id)
            SELECT '{enterprise.Id}', 'default-sms', jsonb_build_object('body', 'release ' || i), jsonb_build_array('release-' || i), 'release-{Guid.NewGuid():N}-' || i
            FROM generate_series(1, 3) AS i;
            """);
        // Leased as claim_deliveries leases (not claimed by it: a claim may take over another test's expired claim
        // first): two deliveries by the stopping worker, one by another; then one of the first two completes.
        var ids = (await connection.QueryAsync<long>(
            $"SELECT id FROM notify.ent_notification_delivery WHERE enterprise_id = '{enterprise.Id}' ORDER BY id")).ToList();
        Assert.Equal(3, ids.Count);
        await connection.ExecuteAsync(
            $"""
            UPDATE notify.ent_notification_delivery
            SET status = 'PROCESSING', attempts = 1, lease_expires_at = now() + interval '60 seconds',
                lease_owner = CASE WHEN id = {ids[2]} THEN 'release-other' ELSE 'release-stopping' END
            WHERE enterprise_id = '{enterprise.Id}';
            UPDATE notify.ent_notification_delivery SET status = 'SENT' WHERE id = {ids[0]};
            """);
        var mine = ids[..2];
        var theirs = ids[2..];

        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT notify.release_deliveries('release-nobody')"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT notify.release_deliveries('release-stopping')"));

        // The released one's lease ends now, still PROCESSING, its attempt counted once; the others keep theirs.
        Assert.True(await connection.ExecuteScalarAsync<bool>(
            $"SELECT status = 'PROCESSING' AND lease_expires_at <= now() AND attempts = 1 FROM notify.ent_notification_delivery WHERE id = {mine[1]}"));
        Assert.True(await connection.ExecuteScalarAsync<bool>(
            $"SELECT lease_expires_at > now() + interval '50 seconds' FROM notify.ent_notification_delivery WHERE id = {theirs[0]}"));
        Assert.Equal("SENT", await connection.ExecuteScalarAsync<string>(
            $"SELECT status::text FROM notify.ent_notification_delivery WHERE id = {mine[0]}"));
        // A second release finds nothing left to end.
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT notify.release_deliveries('release-stopping')"));
        await transaction.RollbackAsync();
    }
}
