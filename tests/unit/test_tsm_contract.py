"""The tsm.csv contract check: missing, duplicated or out-of-range rows fail the run."""

import pandas as pd
import pytest

from pipeline.errors import ContractError
from pipeline.report.outputs import check_tsm_contract


def frame(rows):
    return pd.DataFrame(rows, columns=["measure_code", "measure_part", "tenure", "value", "unit",
                                       "status"])


GOOD = [("CH02", "stage_1", "LCRA", 91.1, "percent", "ok"), ("TP01", "", "LCRA", None, "percent",
                                                               "not_available")]


def test_a_good_frame_passes():
    check_tsm_contract(frame(GOOD))


def test_a_duplicated_row_fails():
    with pytest.raises(ContractError, match="repeat"):
        check_tsm_contract(frame(GOOD + [GOOD[0]]))


def test_a_percentage_over_100_fails():
    with pytest.raises(ContractError, match="outside 0-100"):
        check_tsm_contract(frame([("CH02", "stage_1", "LCRA", 100.5, "percent", "ok")]))


def test_a_missing_row_fails():
    with pytest.raises(ContractError, match=r"missing row\(s\): \[\('CH02', 'stage_1', 'LCHO'\)\]"):
        check_tsm_contract(frame(GOOD), expected={("CH02", "stage_1", "LCRA"), ("CH02", "stage_1", "LCHO"),
                                                   ("TP01", "", "LCRA")})


def test_ok_without_a_value_fails():
    with pytest.raises(ContractError, match="no value"):
        check_tsm_contract(frame([("CH02", "stage_1", "LCRA", None, "percent", "ok")]))
