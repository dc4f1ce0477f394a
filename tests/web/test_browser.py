"""The whole visit in a real browser: Playwright driving Debian's Chromium against a live server.

Fill the intake form (first with a mistake, to see the message beside the field), upload the example
recording, confirm the detected montage, watch the analysis progress, open both reports, download the
JSON and check its content. A screenshot of each page goes to ``out/screenshots/``.

Chromium is Debian's (``/usr/bin/chromium``; Playwright's own browser download is not used). When it
is missing the test installs it with apt-get (as root) and skips, saying why, only where it cannot.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from web_testkit import EXAMPLE_EDF, REPO, live_server

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SHOTS = REPO / "out" / "screenshots"


def _chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get): "
                    "install Debian's 'chromium' package to run the browser test")
    result = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
                            capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0 or not CHROMIUM.exists():
        pytest.skip(f"'apt-get install -y chromium' failed (exit {result.returncode}): {result.stderr.strip()[-300:]}")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (dev extra: "
                                   "pip install 'myoclonus[dev]'); no 'playwright install' is needed")
    executable = _chromium()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def test_visit_in_the_browser(browser, tmp_path, short_edf):
    recording = EXAMPLE_EDF if EXAMPLE_EDF.exists() else short_edf
    SHOTS.mkdir(parents=True, exist_ok=True)
    with live_server(tmp_path / "data") as base:
        context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        failed: list[tuple[str, int]] = []
        page.on("console", lambda m: problems.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        page.on("response", lambda r: failed.append((r.url.removeprefix(base), r.status)) if r.status >= 400 else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.set_default_timeout(20_000)

        page.goto(base + "/")
        page.fill("#label", "Outpatient follow-up")
        page.screenshot(path=SHOTS / "01_cases.png", full_page=True)
        page.click("#new-case")
        page.wait_for_url("**/intake")

        # intake: a mistake first — the message must appear beside that field
        page.fill("#patient\\.age_years", "fifty-eight")
        page.select_option("#onset", "subacute")
        page.select_option("#jerks\\.distribution", "multifocal")
        page.check("input[name='jerks.body_regions'][value='hand_right']")
        page.check("input[name='jerks.occurs_at'][value='action']")
        page.fill("#medications\\.0\\.name", "tramadol")
        page.fill("#medications\\.0\\.started_days_ago", "5")
        page.select_option("#exam\\.asterixis", "false")
        page.click("#save-intake")
        message = page.locator("#error-patient-age_years")
        assert "expected a number" in message.inner_text()
        assert page.locator("#medications\\.0\\.name").input_value() == "tramadol"  # input kept
        page.screenshot(path=SHOTS / "02_intake_with_error.png", full_page=True)
        page.fill("#patient\\.age_years", "58")
        page.click("#save-intake")
        page.wait_for_selector("#recording-panel")
        assert "Intake saved" in page.inner_text("#intake-panel")

        # upload the example recording; the detected montage is shown for confirmation
        page.set_input_files("#recording-file", str(recording))
        page.click("#upload-button")
        page.wait_for_selector("#channels", timeout=60_000)
        channels = page.inner_text("#channels")
        assert "EMG R FDI" in channels and "FDI" in channels
        page.screenshot(path=SHOTS / "03_case_montage.png", full_page=True)

        page.click("#analyze-button")
        page.wait_for_selector("#progress")
        # live progress: the bar moves without a reload (or the run already finished and the page reloaded)
        page.wait_for_function("() => document.querySelector('#results-panel') !== null || "
                               "(document.querySelector('#progress') && document.querySelector('#progress').value > 0)",
                               timeout=60_000)
        if page.locator("#progress").count():
            page.screenshot(path=SHOTS / "04_analysis_progress.png", full_page=True)
        page.wait_for_selector("#results-panel", timeout=120_000)
        assert page.inner_text("#case-status") == "done"
        page.screenshot(path=SHOTS / "05_case_results.png", full_page=True)

        with page.expect_download() as download_info:
            page.click("#download-findings-json")
        findings = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
        assert findings["schema"] == "myoclonus.findings/1"
        assert findings["jerks"]["count"] > 0
        summary = page.inner_text("#summary")  # the case page's headline matches the downloaded files
        assert f"{findings['jerks']['count']} jerks" in summary
        with page.expect_download() as download_info:
            page.click("#download-assessment-json")
        assessment = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
        assert assessment["schema"] == "myoclonus.assessment/1"
        assert any(c["id"] == "drug_induced" and "tramadol" in (c.get("detail") or "") for c in assessment["causes"])
        assert assessment["triage"]["level"].replace("_", " ") in summary

        page.click("#report-clinician")
        page.wait_for_load_state()
        clinician = page.inner_text("body")
        assert "not a diagnosis" in clinician.lower() and "tramadol" in clinician.lower()
        page.screenshot(path=SHOTS / "06_report_clinician.png", full_page=True)
        page.go_back()
        page.click("#report-patient")
        page.wait_for_load_state()
        patient = page.inner_text("body")
        assert "not a diagnosis" in patient.lower()
        page.screenshot(path=SHOTS / "07_report_patient.png", full_page=True)

        page.goto(base + "/?q=outpatient")
        assert "Outpatient follow-up" in page.inner_text("table.cases")
        assert problems == [], problems  # no script errors, no CSP violations
        # the only failed request was the intake with the deliberate mistake
        assert [(url.rsplit("/", 1)[-1], status) for url, status in failed] == [("intake", 422)], failed
        context.close()
