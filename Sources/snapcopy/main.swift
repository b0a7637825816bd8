import SnapcopyCLI

await SnapcopyCommand.runCommandLine()
