"""`configure_telemetry()`: choose and install the exporters once, at app start.

- `DEBUG_TELEMETRY=console` (devhost `--telemetry console`): spans and metrics printed to stdout.
- `APPLICATIONINSIGHTS_CONNECTION_STRING` set: `azure-monitor-opentelemetry` exports to Application
  Insights, unless `PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY` is true: then the Functions worker
  has configured it already, and configuring it again would export everything twice.
- otherwise nothing: the OpenTelemetry API stays a no-op."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Mapping
from typing import Literal

from shared.telemetry.logcontext import install_log_context

Mode = Literal["off", "console", "azure", "worker"]
CONSOLE_ENV = "DEBUG_TELEMETRY"
CONNECTION_ENV = "APPLICATIONINSIGHTS_CONNECTION_STRING"
WORKER_SWITCH_ENV = "PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY"
CONSOLE_METRIC_INTERVAL_MS = 5_000  # short, so a devhost run shows metrics while sessions run

_lock = threading.Lock()
_configured: Mode | None = None
log = logging.getLogger(__name__)


def telemetry_mode(environ: Mapping[str, str] = os.environ) -> Mode:
    """Which exporters this process should install, from its settings."""
    if environ.get(CONSOLE_ENV, "").strip().lower() == "console":
        return "console"
    if environ.get(WORKER_SWITCH_ENV, "").strip().lower() in ("true", "1"):
        return "worker"  # the worker exports; our spans and metrics go through its global providers
    if environ.get(CONNECTION_ENV, "").strip():
        return "azure"
    return "off"


def configure_telemetry(environ: Mapping[str, str] = os.environ) -> Mode:
    """Install the exporters for this process's mode; later calls do nothing and return the same mode."""
    global _configured
    with _lock:
        if _configured is not None:
            return _configured
        install_log_context()
        mode = telemetry_mode(environ)
        if mode == "azure":
            _configure_azure_monitor()
        elif mode == "console":
            _configure_console()
        _configured = mode
        log.info("telemetry: %s", mode)
        return mode


def _configure_azure_monitor() -> None:
    # Imported here: the distro pulls in many instrumentations that an unconfigured app never needs.
    from azure.monitor.opentelemetry import configure_azure_monitor

    configure_azure_monitor()  # reads APPLICATIONINSIGHTS_CONNECTION_STRING itself


def _configure_console() -> None:
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "azure-error-debugging")})
    # One JSON object per line, so the output can be read (and tested) line by line.
    spans = ConsoleSpanExporter(out=sys.stdout, formatter=lambda span: span.to_json(indent=None) + "\n")
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    trace.set_tracer_provider(tracer_provider)
    exporter = ConsoleMetricExporter(out=sys.stdout, formatter=lambda data: data.to_json(indent=None) + "\n")
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=CONSOLE_METRIC_INTERVAL_MS)
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[reader]))
