using System.Threading.Channels;

namespace XNovu.Core.Persistence;

/// <summary>
/// The queue and gather loop shared by the API's commit coalescing (single triggers, Novu webhooks): callers write
/// items; each of the writers running <see cref="WriteLoopAsync"/> takes what has arrived (at most
/// <paramref name="maxBatch"/>) and hands it to its commit. It waits for company, at most <paramref name="maxWait"/>
/// after the first item, and only while another batch is committing: on a quiet database an item is written at once;
/// under load the items that arrive during one commit fill the next. What a batch means, how it fails and who is
/// answered is the caller's.
/// Written here rather than taken from a library: System.Threading.Channels gives the queue, not a batch read that
/// waits only while another batch commits, which is what keeps a lone item's latency at one commit.
/// </summary>
public sealed class CommitGatherer<T>(int maxBatch, TimeSpan maxWait, TimeProvider time)
{
    private readonly Channel<T> _queue = Channel.CreateUnbounded<T>(new UnboundedChannelOptions
    {
        SingleReader = false,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });

    private int _committing;

    /// <summary>False once <see cref="Complete"/> was called: the caller writes the item another way.</summary>
    public bool TryWrite(T item) => _queue.Writer.TryWrite(item);

    /// <summary>No more items; each writer ends once the queue is empty.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>
    /// One writer: gathers batches and runs <paramref name="commit"/> on each, counted as committing while it runs.
    /// <paramref name="admit"/> sees each item as it is taken and may keep it out of the batch (it then answers it
    /// itself). <paramref name="commit"/> must not throw; the batch list is reused after it returns.
    /// </summary>
    public async Task WriteLoopAsync(Func<T, bool> admit, Func<List<T>, Task> commit)
    {
        var batch = new List<T>(maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            await GatherAsync(batch, admit);
            if (batch.Count == 0)
            {
                continue;
            }

            Interlocked.Increment(ref _committing);
            try
            {
                await commit(batch);
            }
            finally
            {
                Interlocked.Decrement(ref _committing);
            }
        }
    }

    private async Task GatherAsync(List<T> batch, Func<T, bool> admit)
    {
        var first = 0L;
        while (batch.Count < maxBatch)
        {
            if (_queue.Reader.TryRead(out var item))
            {
                if (!admit(item))
                {
                    continue;
                }

                if (batch.Count == 0)
                {
                    first = time.GetTimestamp();
                }

                batch.Add(item);
                continue;
            }

            var remaining = maxWait - time.GetElapsedTime(first);
            if (batch.Count == 0 || Volatile.Read(ref _committing) == 0 || remaining <= TimeSpan.Zero)
            {
                return;
            }

            using var wait = new CancellationTokenSource(remaining, time);
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(wait.Token))
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
