using System.Buffers;
using System.Text.Json;

namespace XNovu.NovuClient;

/// <summary>
/// Novu's limits on what one trigger carries, and sizes measured exactly as this client sends them: JSON with
/// the client's own serializer options (its escaping included: <c>&lt;</c> goes out as six bytes), UTF-8.
/// </summary>
public static class NovuLimits
{
    /// <summary>Novu refuses an event over 512 KB with 413.</summary>
    public const int MaxEventBytes = 512 * 1024;

    /// <summary>The bytes one event takes on the wire, alone or as one element of a bulk call.</summary>
    public static long EventBytes(TriggerRequest request) => SerializedBytes(request);

    /// <summary>The bytes <paramref name="value"/> takes when this client serializes it.</summary>
    public static long SerializedBytes<T>(T value)
    {
        var counter = new CountingWriter();
        using (var writer = new Utf8JsonWriter(counter, new JsonWriterOptions { Encoder = NovuJson.Options.Encoder, SkipValidation = true }))
        {
            JsonSerializer.Serialize(writer, value, NovuJson.Options);
        }

        return counter.Written;
    }

    /// <summary>Counts what is written into one reused scratch buffer, so measuring a 500 KB event allocates 4 KB.</summary>
    private sealed class CountingWriter : IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[4096];

        public long Written { get; private set; }

        public void Advance(int count) => Written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint).Span;

        private Memory<byte> Scratch(int sizeHint)
        {
            if (sizeHint > _scratch.Length)
            {
                _scratch = new byte[sizeHint];
            }

            return _scratch;
        }
    }
}
