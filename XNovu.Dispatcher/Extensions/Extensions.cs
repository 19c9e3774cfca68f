using XNovu.Core;

namespace XNovu.Dispatcher.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddXNovuData();
    }
}
