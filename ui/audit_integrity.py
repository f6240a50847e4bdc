"""The Audit page's integrity section: the trail checked against its key and its anchor
(analytics.access.audit_verify), each finding with its line, in the page's language."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analytics.access.audit_verify import Finding, Verdict, verify
from analytics.core.config import audit_anchor_every
from ui.format import plain
from ui.i18n import t

SHOWN = 20  # findings listed; the rest are counted


def finding_text(finding: Finding) -> str:
    """One finding as the page says it: where (line or lines), then what, its values escaped for markdown."""
    values = {k: v if isinstance(v, int) else plain(v) for k, v in finding.values.items()}
    body = t(f"au.finding.{finding.kind}", **values)
    if finding.line is None:
        return body
    if finding.last is not None and finding.last > finding.line:
        return t("au.where.lines", line=finding.line, last=finding.last) + body
    return t("au.where.line", line=finding.line) + body


def show(trail: Path, events: int, last_hash: str | None) -> Verdict:
    """Draw the verdict on `trail` (`events` readable events, the newest with `last_hash`) and return it."""
    verdict = verify(trail)
    if verdict.intact:
        st.success(t("au.intact", events=events), icon=":material/verified:")
    else:
        first = verdict.findings[0]
        title = t("au.broken", line=first.line) if first.line is not None else t("au.broken_file")
        listed = [f"- {finding_text(f)}" for f in verdict.findings[:SHOWN]]
        if len(verdict.findings) > SHOWN:
            listed.append(f"- {t('au.more', count=len(verdict.findings) - SHOWN)}")
        st.error("\n".join([title, "", *listed]), icon=":material/gpp_bad:")
    for warning in verdict.warnings:
        st.warning(finding_text(warning), icon=":material/lock_open:")
    st.caption(t("au.file", path=plain(trail)))
    if verdict.legacy_lines and verdict.keyed:
        st.caption(t("au.legacy", lines=verdict.legacy_lines, marker=verdict.legacy_lines + 1))
    elif verdict.legacy_lines:
        st.caption(t("au.legacy_only", lines=verdict.legacy_lines))
    if verdict.anchor is not None:
        st.caption(
            t("au.anchor", seq=verdict.anchor.seq, time=plain(verdict.anchor.time), path=plain(verdict.anchor_file))
        )
        if verdict.unanchored:
            st.caption(t("au.unanchored", count=verdict.unanchored, every=audit_anchor_every()))
    st.caption(t("au.key", path=plain(verdict.key_file)))
    if last_hash:
        st.caption(t("au.last_hash", hash=last_hash))
    return verdict
