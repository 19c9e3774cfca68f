using XNovu.Dispatcher.Extensions;

// A web host, like eShop's workers, so that it has health endpoints and can be probed.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
