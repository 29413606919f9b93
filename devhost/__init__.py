"""devhost: a local host for Python Azure Functions apps (v2 model) with Durable Functions.

It plays the Functions host and the Durable extension: serves the app's HTTP functions and runs its
orchestrations, activities and entities through azure-functions-durable's own replay engine.
"""

__version__ = "0.1.0"
