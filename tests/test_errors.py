from myoclonus.errors import InputError, did_you_mean


def test_did_you_mean_ignores_case_and_returns_the_choice_as_spelled():
    assert did_you_mean("emg r fdi", ["EMG R FDI", "EMG L TA"]) == " Did you mean 'EMG R FDI'?"
    assert did_you_mean("multifokal", ["focal", "multifocal"]) == " Did you mean 'multifocal'?"


def test_did_you_mean_is_empty_when_nothing_is_close():
    assert did_you_mean("zzzz", ["focal", "multifocal"]) == ""


def test_input_error_names_where():
    exc = InputError("expected a number", where="intake.yaml: labs.sodium_mmol_l")
    assert str(exc) == "intake.yaml: labs.sodium_mmol_l: expected a number"
