using XNovu.Api.Extensions;
using XNovu.Api.OpenApi;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlaceholderSettings();
builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.WithoutBackgroundServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapApplicationEndpoints();
app.Run();
