"""Case memory (contract v1.1, issue 13): what past sessions of the same kind concluded and how their fixes fared.

A case is a signature made only of the service's own vocabulary (the taxonomy category, catalog entry ids and the
catalog's error codes) plus the catalog's unfilled fix template and outcome counts: never a resource name, never
text a caller sent, so any caller of the deployment may see it. `signature.py` makes signatures, `store.py` keeps
them in Azure Table Storage (Azurite locally) and finds the nearest ones; `problem.py` keys a new session's problem
and turns what past sessions of it agree on into a hint (the check to run first, the steps to budget). May import
shared.catalog, shared.engines (read-only helpers), shared.telemetry, shared.session and shared.models; nothing imports
it but the activities and the HTTP layer."""
