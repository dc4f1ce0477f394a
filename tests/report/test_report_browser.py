"""Render the reports in headless Chromium as a user would: styled, nothing overflowing the page column."""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from myoclonus.report.html import render_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)")]

WIDTH, HEIGHT = 1280, 9000
#: The page column is 62rem (clinician) or 44rem (patient) wide at 16px-ish fonts, centred: at a
#: 1280 px window the outer 120 px on each side must stay empty unless something overflows.
MARGIN_PX = 120


def screenshot(html: str, tmp_path) -> np.ndarray:
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    png = tmp_path / "page.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}", page.as_uri()],
                   check=True, timeout=120, capture_output=True)
    return np.asarray(Image.open(png).convert("RGB")).astype(int)


def test_clinician_report_renders_styled_without_overflow(tmp_path, cortical_report_html, cortical_assessments):
    image = screenshot(cortical_report_html, tmp_path)
    ink = (image < 235).any(axis=2)
    assert ink[:, MARGIN_PX:-MARGIN_PX].mean() > 0.02  # the page has content (text, figures)
    assert not ink[:, :MARGIN_PX].any() and not ink[:, -MARGIN_PX:].any()  # nothing overflows the column
    # the triage banner is drawn in its colour (the stylesheet applied, no network needed)
    colours = {"emergency": (176, 0, 32), "urgent": (192, 57, 43), "routine": (31, 97, 141), "self_care": (30, 132, 73)}
    target = np.array(colours[cortical_assessments[0].triage.level])
    assert (np.abs(image[:1500] - target).sum(axis=2) < 12).sum() > 5000


def test_patient_report_renders_without_overflow(tmp_path, cortical_analysis, cortical_assessments):
    image = screenshot(render_report(cortical_analysis, cortical_assessments[1], audience="patient"), tmp_path)
    ink = (image < 235).any(axis=2)
    assert ink.mean() > 0.01
    assert not ink[:, :MARGIN_PX].any() and not ink[:, -MARGIN_PX:].any()
