"""azdebug: a command-line client for the debug service's HTTP API (contract v1).

Standard library only, so it runs anywhere Python 3.11 does without installing anything; it is a
client of the API, not part of the function app, and imports nothing from `shared/`.
Run `python -m azdebug --help`."""
