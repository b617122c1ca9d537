"""k8s/base/prometheus-rules.yaml checked and unit-tested with Prometheus' own promtool (Debian's prometheus
package, installed by `make bootstrap`): every alert has a firing and a silent case
(alert_rules.test.yaml)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from tests.support.live_app import debian_tool

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES = REPO_ROOT / "k8s" / "base" / "prometheus-rules.yaml"
TESTS = Path(__file__).resolve().parent / "alert_rules.test.yaml"


def _groups() -> list[dict[str, object]]:
    rule = yaml.safe_load(RULES.read_text())
    assert (rule["apiVersion"], rule["kind"]) == ("monitoring.coreos.com/v1", "PrometheusRule")
    groups: list[dict[str, object]] = rule["spec"]["groups"]
    return groups


def test_every_alert_has_unit_tests() -> None:
    alerts = {r["alert"] for g in _groups() for r in g["rules"]}  # type: ignore[attr-defined]
    tested = {
        t["alertname"] for case in yaml.safe_load(TESTS.read_text())["tests"] for t in case["alert_rule_test"]
    }
    assert alerts == tested
    assert len(alerts) >= 7


def test_the_rules_pass_promtool_check_and_their_unit_tests(tmp_path: Path) -> None:
    promtool = debian_tool("promtool", "prometheus")
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": _groups()}))
    shutil.copy(TESTS, tmp_path / "tests.yaml")
    for argv in (["check", "rules", "rules.yaml"], ["test", "rules", "tests.yaml"]):
        done = subprocess.run(
            [promtool, *argv], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
