"""The error catalog: Azure's public error catalogs as data (knowledge/catalog/*.yaml), one index, one matcher.

May import: shared.models, shared.session (the material it scans). Imported by the engines and tools."""
