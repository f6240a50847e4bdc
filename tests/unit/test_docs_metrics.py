"""docs/metrics.md is what the docstrings say: regenerated in memory (no database) and compared."""

from __future__ import annotations

import difflib

import pytest

from tools import metrics_doc

REGENERATE = "docs/metrics.md is out of date with the docstrings: run `.venv/bin/python -m tools.metrics_doc`"


def _sections(text: str) -> dict[str, str]:
    """Each function's section of the document, by its dotted path."""
    found = {}
    for part in text.split("\n### `")[1:]:
        path, _, body = part.partition("`")
        found[path] = body.split("\n## ", 1)[0]
    return found


def test_metrics_doc_matches_the_docstrings():
    expected = metrics_doc.render()
    written = metrics_doc.OUTPUT.read_text(encoding="utf-8") if metrics_doc.OUTPUT.exists() else ""
    if written != expected:
        diff = difflib.unified_diff(
            written.splitlines(), expected.splitlines(), "docs/metrics.md", "docstrings", lineterm="", n=1
        )
        pytest.fail(f"{REGENERATE}\n" + "\n".join(list(diff)[:40]), pytrace=False)


def test_metrics_doc_covers_the_metrics_the_pages_explain():
    sections = _sections(metrics_doc.render())
    churn_rate = r"churn\_rate = churned / maintained\_start"
    for path in ("analytics.metrics.churn.churn_by_unit", "analytics.metrics.scorecard.scorecard"):
        assert churn_rate in sections.get(path, ""), f"{path}: the 口径 of churn_rate is missing"
    for path, term in (
        ("analytics.metrics.migration.migration_matrix", "exited"),
        ("analytics.metrics.retention.retention_triangle", "cohort of quarter Q"),
        ("analytics.lists.explorer.find_customers", r"change\_rate"),
    ):
        assert "**口径** · " in sections.get(path, "") and term in sections[path], f"{path}: no 口径"
        assert "Returns columns:" in sections[path], f"{path}: no Returns line"


def test_check_fails_with_the_command_to_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(metrics_doc, "OUTPUT", tmp_path / "metrics.md")
    (tmp_path / "metrics.md").write_text("stale\n", encoding="utf-8")
    assert metrics_doc.main(["--check"]) == 1
    assert "python -m tools.metrics_doc" in capsys.readouterr().err
    assert metrics_doc.main([]) == 0
    assert metrics_doc.main(["--check"]) == 0
