"""The harness itself: the host check, the axe report and the vendored file."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.axe import AXE_SHA256, axe_sha256, format_violations, run_axe
from tests.e2e.conftest import PageRecord

pytestmark = pytest.mark.browser


def test_vendored_axe_matches_recorded_checksum() -> None:
    assert axe_sha256() == AXE_SHA256


def test_page_record_flags_other_hosts_only() -> None:
    record = PageRecord(origin="http://localhost:8123")
    record.requests = [
        "http://localhost:8123/",
        "http://localhost:8123/static/css/oglabs.css",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "http://localhost:9999/other-port.js",
        "https://localhost:8123/other-scheme.js",
        "https://fonts.example.org/font.woff2",
    ]
    assert record.foreign_requests() == [
        "http://localhost:9999/other-port.js",
        "https://localhost:8123/other-scheme.js",
        "https://fonts.example.org/font.woff2",
    ]


def test_axe_finds_and_reports_a_missing_label(page: Page) -> None:
    page.set_content('<html lang="de"><title>t</title><main><h1>t</h1><input id="x"></main></html>')
    violations = run_axe(page)
    assert [violation["id"] for violation in violations] == ["label"]
    report = format_violations(violations, url="about:blank")
    assert report.splitlines()[:4] == [
        "1 axe violation(s) (WCAG 2.1 A/AA) on about:blank:",
        "",
        "- label [critical]: Form elements must have labels"
        " (https://dequeuniversity.com/rules/axe/4.11/label?application=axeAPI)",
        "    target: #x",
    ]
