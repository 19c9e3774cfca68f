using System.CommandLine;
using XNovu.Cli;

// `xnovu import ...`: see README.md beside this file, or `xnovu import --help`.
var root = new RootCommand("XNovu's command line.");
root.Subcommands.Add(ImportCommand.Create());
return await root.Parse(args).InvokeAsync();
