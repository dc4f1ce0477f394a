"""Upload guards on their own: content sniffing, file names, zip member checks."""
from __future__ import annotations

import zipfile

import pytest

from web_testkit import tiny_edf

from myoclonus.web.uploads import UploadError, extract_brainvision_zip, safe_display_name, sniff_format


def test_sniff_format_reads_the_first_bytes(tmp_path):
    import mne
    import numpy as np

    assert sniff_format(tiny_edf(tmp_path / "x.edf", seed=0).read_bytes()[:16]) == "edf"
    raw = mne.io.RawArray(np.zeros((1, 100)), mne.create_info(1, 100.0), verbose="error")
    raw.save(tmp_path / "x_raw.fif", verbose="error")
    assert sniff_format((tmp_path / "x_raw.fif").read_bytes()[:16]) == "fif"
    assert sniff_format(b"\xffBIOSEMI" + bytes(8)) == "bdf"
    assert sniff_format(b"PK\x03\x04rest") == "zip"
    assert sniff_format(b"1       ") is None and sniff_format(b"") is None


@pytest.mark.parametrize(("given", "shown"), [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\x\\rec.edf", "rec.edf"), ("", "recording"),
    ("a<b>.edf", "a_b_.edf"), ("..", "recording"),
])
def test_safe_display_name(given, shown):
    assert safe_display_name(given) == shown


def _zip_with(tmp_path, members, *, link=None):
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (0o120777 << 16)
            zf.writestr(info, "/etc/passwd")
    return path


HEADER = b"Brain Vision Data Exchange Header File Version 1.0\n"
LIMITS = {"max_total_bytes": 10_000_000, "max_ratio": 50.0, "max_members": 8}


def test_zip_member_guards(tmp_path):
    cases = {
        "absolute": ({"/abs/rec.vhdr": HEADER}, None, "outside"),
        "link": ({"rec.vhdr": HEADER}, "rec.eeg", "symbolic link"),
        "no header": ({"rec.eeg": b"1234"}, None, "found no .vhdr"),
        "two headers": ({"a.vhdr": HEADER, "b.vhdr": HEADER}, None, "found 2 .vhdr"),
        "not brainvision": ({"rec.vhdr": b"hello"}, None, "not a BrainVision header"),
        "too many": ({f"f{i}.txt": b"x" for i in range(9)} | {"rec.vhdr": HEADER}, None, "at most 8"),
    }
    for label, (members, link, expected) in cases.items():
        folder = tmp_path / label.replace(" ", "_")
        folder.mkdir()
        with pytest.raises(UploadError, match=expected):
            extract_brainvision_zip(_zip_with(folder, members, link=link), folder / "out", display_name="x.zip", **LIMITS)
        assert not any((folder / "out").rglob("*")), label  # nothing extracted before every member was checked


def test_zip_total_size_limit(tmp_path):
    members = {"rec.vhdr": HEADER, "rec.eeg": bytes(range(256)) * 50_000}  # 12.8 MB, barely compressible
    with pytest.raises(UploadError, match=f"would extract to {12_800_000 + len(HEADER)} bytes") as info:
        extract_brainvision_zip(_zip_with(tmp_path, members), tmp_path / "out", display_name="x.zip", **LIMITS)
    assert info.value.status == 413
    assert not (tmp_path / "out").exists()


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x03\x04" + bytes(40))
    with pytest.raises(UploadError, match="not a readable zip"):
        extract_brainvision_zip(path, tmp_path / "out", display_name="x.zip", **LIMITS)
