"""Security events: each one recorded is also counted for the alert rules (k8s/base/prometheus-rules.yaml)."""

from __future__ import annotations

import pytest

from wallets.audit import security_event_record
from wallets.models import SecurityEvent

pytestmark = pytest.mark.django_db


def test_each_security_event_is_counted_by_kind_and_severity() -> None:
    from prometheus_client import REGISTRY

    labels = {"kind": "chain_mismatch", "severity": "critical"}
    before = REGISTRY.get_sample_value("mm_security_events_total", labels) or 0.0
    security_event_record(kind=SecurityEvent.Kind.CHAIN_MISMATCH, severity=SecurityEvent.Severity.CRITICAL)
    security_event_record(kind=SecurityEvent.Kind.CHAIN_MISMATCH, severity=SecurityEvent.Severity.CRITICAL)
    assert REGISTRY.get_sample_value("mm_security_events_total", labels) == before + 2
