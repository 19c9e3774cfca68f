namespace XNovu.Testing;

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds, failing with <paramref name="what"/> after the timeout.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, Func<T?, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T? last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await probe();
            if (condition(last))
            {
                return last!;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; last value: {last}");
    }
}
