"""Channel typing by name and by montage file (CONTRACTS.md §3)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from myoclonus.errors import InputError
from myoclonus.signals.montage import (
    load_montage,
    montage_from_dict,
    muscle_rank,
    muscle_table,
    parse_channel_name,
    type_channels,
)

CONTRACT_MUSCLES = [
    "FDI", "APB", "ADM", "ECR", "FCR", "EDC", "BIC", "TRI", "DEL", "SCM", "TRAP", "MAS", "OOC",
    "OOR", "MEN", "PSP", "RA", "QUAD", "HAM", "TA", "GAS", "SOL", "INT",
]


@pytest.mark.parametrize(
    ("name", "muscle", "side"),
    [
        ("EMG R FDI", "FDI", "right"),
        ("R-FDI", "FDI", "right"),
        ("FDI_R", "FDI", "right"),
        ("FDI R", "FDI", "right"),
        ("Right FDI", "FDI", "right"),
        ("EMG_L_TA", "TA", "left"),
        ("L Tib Ant", "TA", "left"),
        ("RFDI", "FDI", "right"),
        ("LAT", "TA", "left"),
        ("RAT", "TA", "right"),
        ("Leg L", "TA", "left"),
        ("Left biceps", "BIC", "left"),
        ("r.deltoid", "DEL", "right"),
        ("sternocleidomastoid L", "SCM", "left"),
        ("masseter right", "MAS", "right"),
        ("tibialis anterior left", "TA", "left"),
        ("EMG Rectus Abdominis", "RA", None),
        ("orbicularis oculi R", "OOC", "right"),
        # polysomnography leg / chin EMG (CONTRACTS §4), bipolar numbering
        ("LLEG", "TA", "left"),
        ("RLEG1-RLEG2", "TA", "right"),
        ("LAT1-LAT2", "TA", "left"),
        ("Chin1-Chin2", "MEN", None),
    ],
)
def test_contract_name_forms(name, muscle, side):
    info = parse_channel_name(name)
    assert (info.kind, info.muscle, info.side) == ("emg", muscle, side)
    assert info.name == name


def test_paraspinal_level_and_rank():
    info = parse_channel_name("PSP T8")
    assert (info.muscle, info.level) == ("PSP", "T8")
    assert parse_channel_name("T10 paraspinal R").level == "T10"
    assert muscle_rank(parse_channel_name("PSP T4")) < muscle_rank(parse_channel_name("PSP T10"))
    # A bare T8 is the EEG electrode, not a segment.
    assert parse_channel_name("T8").kind == "eeg"


@pytest.mark.parametrize(
    ("name", "side"),
    [("C3", "left"), ("Cz", "midline"), ("C4", "right"), ("FC3", "left"), ("EEG C3-A2", "left"),
     ("EEG Fpz-Cz", "midline"), ("FP2", "right"), ("PO8", "right"), ("T7", "left"), ("EEG F1-Ref-0", "left")],
)
def test_eeg_names(name, side):
    info = parse_channel_name(name)
    assert (info.kind, info.side, info.muscle) == ("eeg", side, None)


@pytest.mark.parametrize(
    ("name", "kind"),
    [("STIM", "stim"), ("TRIG", "stim"), ("Status", "stim"), ("STI 014", "stim"), ("ECG", "ecg"),
     ("EKG 2", "ecg"), ("EOG horizontal", "eog"), ("ACC X", "acc"), ("Resp oro-nasal", "resp"),
     ("EMG 3", "emg"), ("EMG1", "emg"), ("Temp rectal", "misc"), ("Channel 1", "misc")],
)
def test_other_kinds(name, kind):
    assert parse_channel_name(name).kind == kind


def test_every_contract_muscle_is_in_the_table_and_parses():
    table = muscle_table()
    assert set(CONTRACT_MUSCLES) <= set(table)
    for short in CONTRACT_MUSCLES:
        info = parse_channel_name(f"EMG L {short}")
        assert (info.muscle, info.side) == (short, "left")
        assert info.nerve == table[short].nerve
        # the full anatomical name is understood too
        assert parse_channel_name(f"{table[short].name} R").muscle == short


def test_muscle_table_is_consistent():
    table = muscle_table()
    for muscle in table.values():
        assert muscle.sources, muscle.short
        assert muscle.group in {"cranial", "limb", "axial"}
        assert muscle.antagonist is None or muscle.antagonist in table
        if muscle.antagonist:
            # antagonism is mutual, or the antagonist points to the same family (SOL/GAS -> TA)
            assert table[muscle.antagonist].antagonist is not None
    # rostro-caudal order (cranial nuclei before cervical before thoracic before lumbosacral)
    ranks = [table[m].rank for m in ("MAS", "OOC", "SCM", "DEL", "FDI", "RA", "QUAD", "TA", "GAS")]
    assert ranks == sorted(ranks)


SIDE_WORDS = {"right": ["R", "r", "Right", "RIGHT", "rt"], "left": ["L", "l", "Left", "LEFT", "lt"]}


@settings(max_examples=300, deadline=None)
@given(
    muscle=st.sampled_from(CONTRACT_MUSCLES),
    side=st.sampled_from(["left", "right"]),
    word_index=st.integers(0, 4),
    sep=st.sampled_from([" ", "-", "_", ".", "  ", " - "]),
    side_first=st.booleans(),
    prefix=st.sampled_from(["", "EMG", "emg", "Emg"]),
    lower=st.booleans(),
)
def test_property_any_separator_case_order(muscle, side, word_index, sep, side_first, prefix, lower):
    side_word = SIDE_WORDS[side][word_index]
    name_muscle = muscle.lower() if lower else muscle
    parts = [side_word, name_muscle] if side_first else [name_muscle, side_word]
    if prefix:
        parts.insert(0, prefix)
    name = sep.join(parts)
    info = parse_channel_name(name)
    assert (info.kind, info.muscle, info.side) == ("emg", muscle, side), name


def test_montage_maps_names_explicitly(tmp_path):
    path = tmp_path / "montage.yaml"
    path.write_text(
        "schema: myoclonus.montage/1\nchannels:\n  Chan 1: R FDI\n"
        "  Chan 2: {kind: emg, muscle: tibialis anterior, side: L}\n  Chan 3: {kind: eeg, side: left}\n"
        "  Chan 4: {kind: misc}\n",
        encoding="utf-8",
    )
    montage = load_montage(path)
    typing = type_channels(["Chan 1", "Chan 2", "Chan 3", "Chan 4", "Chan 5"], montage=montage)
    got = [(c.kind, c.muscle, c.side) for c in typing.channels]
    assert got == [("emg", "FDI", "right"), ("emg", "TA", "left"), ("eeg", None, "left"), ("misc", None, None), ("misc", None, None)]
    assert typing.unmapped == ["Chan 5"]  # an explicit misc is known; the unlisted channel is reported
    assert any("Chan 5" in w for w in typing.warnings)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"channels": {"A": {"kind": "emg", "muscle": "FDX"}}}, "unknown muscle 'FDX'"),
        ({"channels": {"A": {"kind": "emgg"}}}, "Did you mean 'emg'"),
        ({"channels": {"A": {"kind": "emg", "sid": "left"}}}, "Did you mean 'side'"),
        ({"channels": {"A": {"kind": "emg", "muscle": "FDI", "side": "up"}}}, "invalid side 'up'"),
        ({"channels": {"A": "nonsense words"}}, "cannot understand 'nonsense words'"),
        ({"chanels": {"A": "R FDI"}}, "Did you mean 'channels'"),
        ({"schema": "myoclonus.montage/9", "channels": {"A": "R FDI"}}, "unsupported schema"),
        ({"channels": {"A": {"kind": "eeg", "muscle": "FDI"}}}, "muscles need kind 'emg'"),
    ],
)
def test_montage_errors_are_clear(content, message):
    with pytest.raises(InputError, match=message) as err:
        montage_from_dict(content, where="m.yaml")
    assert "m.yaml" in str(err.value)


def test_montage_channel_missing_from_recording():
    montage = montage_from_dict({"channels": {"EMG R FDl": "R FDI"}})
    with pytest.raises(InputError, match="Did you mean 'EMG R FDI'"):
        type_channels(["EMG R FDI", "C3"], montage=montage)


def test_montage_file_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_montage(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("channels: [unclosed", encoding="utf-8")
    with pytest.raises(InputError, match="bad.yaml"):
        load_montage(bad)


def test_unmapped_channels_are_reported_by_name():
    typing = type_channels(["EMG R FDI", "sine 8 Hz", "Temp rectal", "EMG 2"])
    assert typing.unmapped == ["sine 8 Hz", "Temp rectal"]
    assert len(typing.channels) == 4  # nothing dropped
    assert any("'EMG 2'" in w and "muscle not recognised" in w for w in typing.warnings)
