"""In-memory OpenTelemetry exporters for in-process tests: the spans and metrics the app emits.

OpenTelemetry lets a process set its global providers once, so they are installed once per test run
and `capture()` hands back the same exporter and reader, emptied."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared.telemetry import install_log_context


@dataclass(frozen=True)
class Capture:
    spans: InMemorySpanExporter
    reader: InMemoryMetricReader

    def finished_spans(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def points(self) -> list[dict[str, Any]]:
        """Each data point collected since the last call: metric name, attributes, value (sum or count)."""
        data = self.reader.get_metrics_data()
        found = []
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    for point in metric.data.data_points:
                        value = getattr(point, "value", None)
                        found.append({"name": metric.name, "attributes": dict(point.attributes or {}),
                                      "value": value if value is not None else getattr(point, "count", None)})
        return found


@lru_cache(maxsize=1)
def _install() -> Capture:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    trace.set_tracer_provider(provider)
    # Delta temporality: each collection holds only what happened since the previous one.
    reader = InMemoryMetricReader(preferred_temporality={Counter: AggregationTemporality.DELTA,
                                                         Histogram: AggregationTemporality.DELTA})
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    install_log_context()
    return Capture(spans, reader)


def capture() -> Capture:
    """The process's in-memory exporters, emptied of whatever earlier tests emitted."""
    found = _install()
    found.spans.clear()
    found.reader.get_metrics_data()
    return found


def exported_text(spans: list[ReadableSpan], points: list[dict[str, Any]]) -> str:
    """Everything an exporter would send as names and attributes, as one string to search for content."""
    parts: list[Any] = []
    for span in spans:
        parts += [span.name, dict(span.attributes or {}), span.status.description or ""]
        parts += [[event.name, dict(event.attributes or {})] for event in span.events]
    parts += [point["attributes"] for point in points]
    return json.dumps(parts, default=str)
