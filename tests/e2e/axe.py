"""Accessibility checks with axe-core (vendored, see vendor/VENDORED.md).

axe is put into the page with ``page.evaluate`` (the Chrome DevTools protocol), not with a
``<script>`` tag: the application's Content-Security-Policy (``default-src 'self'``, no inline
scripts) would block an inline tag, and switching the policy off with ``bypass_csp`` would also
hide the policy violations the harness is meant to catch. Code evaluated through the protocol is
not subject to the page's CSP, so the pages run under their real policy while axe runs in them.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

VENDOR_DIR = Path(__file__).resolve().parent / "vendor"
AXE_PATH = VENDOR_DIR / "axe.min.js"
#: sha256 of vendor/axe.min.js as recorded in vendor/VENDORED.md.
AXE_SHA256 = "7dbfabdfc6062936d79c873ddbb5f811a1219fca3928bd8cc9dd81f1e65f4720"

#: WCAG 2.1 levels A and AA (what BITV 2.0 / EN 301 549 require). Rules tagged only
#: "best-practice" are not selected.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

_HTML_LIMIT = 300


@cache
def axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def axe_sha256() -> str:
    return hashlib.sha256(AXE_PATH.read_bytes()).hexdigest()


def inject_axe(page: Page) -> None:
    """Define ``window.axe`` in the current document (once per document)."""
    if page.evaluate("() => typeof window.axe === 'object'"):
        return
    # A function taking the source would need eval(), which the CSP forbids; a plain
    # expression string is handed to Runtime.evaluate as it is.
    page.evaluate(axe_source() + "\n;void 0")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        raise RuntimeError("axe-core could not be injected into the page")


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Run axe on the whole document; return the violations (axe's own result objects)."""
    inject_axe(page)
    result: dict[str, Any] = page.evaluate(
        """async (tags) => await window.axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        list(WCAG_TAGS),
    )
    return list(result["violations"])


def format_violations(violations: list[dict[str, Any]], *, url: str) -> str:
    lines = [f"{len(violations)} axe violation(s) (WCAG 2.1 A/AA) on {url}:"]
    for violation in violations:
        lines.append("")
        lines.append(
            f"- {violation['id']} [{violation.get('impact') or 'n/a'}]: {violation['help']}"
            f" ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            html = " ".join(str(node.get("html", "")).split())
            if len(html) > _HTML_LIMIT:
                html = html[:_HTML_LIMIT] + "…"
            lines.append(f"    target: {', '.join(map(str, node['target']))}")
            lines.append(f"    html:   {html}")
            summary = " ".join(str(node.get("failureSummary") or "").split())
            if summary:
                lines.append(f"    why:    {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page) -> None:
    """Fail with a readable list (rule, impact, help, targets, HTML) if axe finds anything."""
    violations = run_axe(page)
    if violations:
        raise AssertionError(format_violations(violations, url=page.url))
