using XNovu.NovuEmulator;

var app = EmulatorApp.Build(args);
app.Run();

/// <summary>Lets WebApplicationFactory find the entry point, should a test prefer it.</summary>
public partial class Program;
