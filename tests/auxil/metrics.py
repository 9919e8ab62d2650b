"""Reading what /metrics shows: the token a scraper shows, one sample's value from the Prometheus text exposition."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-T0ken_for-the-tests"  # METRICS_TOKEN of the bots the tests serve
SHOWN = {"Authorization": f"Bearer {TOKEN}"}  # what Prometheus sends with `authorization: credentials:`


def sample(exposition: str, name: str, **labels: str) -> float:
    """The value of the sample `name` with exactly these labels (0 when the series is not there yet)."""
    for family in text_string_to_metric_families(exposition):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return 0.0
