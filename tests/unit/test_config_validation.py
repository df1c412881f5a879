"""landlord.toml and survey.toml read once into checked objects (issue 19 item 4, issue 23
first kind): every value of the wrong type or shape, every impossible value and every file that
is not a regular UTF-8 text file is one PipelineError line naming the file and the key."""

from __future__ import annotations

import codecs
import logging
import os
import threading
from datetime import date
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.dataset import read_toml
from pipeline.errors import PipelineError
from pipeline.landlord import read_landlord
from pipeline.personal_data import retention_days
from pipeline.repair_priorities import priorities_frame
from pipeline.report import inputs, outputs
from pipeline.survey.config import read_survey_config

P1 = '[priorities.P1]\nclass = "emergency"\n'

# (file content, words the one-line message must hold besides the file's name)
BAD_LANDLORD = {
    "threshold as a word": ('small_number_threshold = "five"\n', ["small_number_threshold", "'five'"]),
    "threshold as a float": ("small_number_threshold = 5.0\n", ["small_number_threshold", "5.0"]),
    "threshold zero": ("small_number_threshold = 0\n", ["small_number_threshold"]),
    "threshold true": ("small_number_threshold = true\n", ["small_number_threshold"]),
    "retention as text": ('personal_data_retention_days = "30"\n', ["personal_data_retention_days", "'30'"]),
    "retention negative": ("personal_data_retention_days = -1\n", ["personal_data_retention_days"]),
    "retention past the calendar": ("personal_data_retention_days = 1000000000\n",
                                    ["personal_data_retention_days", "36,500"]),
    "retention inf": ("personal_data_retention_days = inf\n", ["personal_data_retention_days"]),
    "name a number": ("name = 42\n", ["name"]),
    "closure days a string": ('closure_days = "2023-12-27"\n', ["closure_days", "list of dates"]),
    "closure day not a date": ('closure_days = ["27/12/2023"]\n', ["closure_days[0]"]),
    "closure day with a time": ("closure_days = [2023-12-27T09:00:00]\n", ["closure_days[0]", "without a time"]),
    "data_as_at not a date": ('data_as_at = "yesterday"\n', ["data_as_at"]),
    "data_as_at a number": ("data_as_at = 20240412\n", ["data_as_at"]),
    "landlord type unknown": ('landlord_type = "council"\n', ["landlord_type", "'council'"]),
    "rsh_code a number": ("rsh_code = 4172\n", ["rsh_code"]),
    "benchmarks a string": ('benchmarks = "type"\n', ["benchmarks"]),
    "peer group unknown": ('[benchmarks]\npeer_group = "nearby"\n', ["[benchmarks] peer_group", "'nearby'"]),
    "supported flag as text": ('[benchmarks]\nsupported_over_30pct = "yes"\n',
                               ["[benchmarks] supported_over_30pct"]),
    "survey method a number": ("[benchmarks]\nsurvey_method = 3\n", ["[benchmarks] survey_method"]),
    "priorities a string": ('priorities = "P1"\n', ["priorities", "a table"]),
    "priority a string": ('[priorities]\nP1 = "emergency"\n', ["[priorities.P1]", "must be a table"]),
    "class unknown": ('[priorities.P1]\nclass = "urgent"\nhours = 24\n', ["[priorities.P1] class", "'urgent'"]),
    "class missing": ("[priorities.P1]\nhours = 24\n", ["[priorities.P1]", "class"]),
    "hours nan": (P1 + "hours = nan\n", ["[priorities.P1] hours", "nan"]),
    "hours inf": (P1 + "hours = inf\n", ["[priorities.P1] hours", "inf"]),
    "hours negative": (P1 + "hours = -24\n", ["[priorities.P1] hours"]),
    "hours zero": (P1 + "hours = 0\n", ["[priorities.P1] hours"]),
    "hours as text": (P1 + 'hours = "24"\n', ["[priorities.P1] hours", "'24'"]),
    "hours past ten years": (P1 + "hours = 87601\n", ["[priorities.P1] hours", "87,600"]),
    "calendar days 1e18": (P1 + "calendar_days = 1e18\n", ["[priorities.P1] calendar_days", "3,650"]),
    "working days a fraction": (P1 + "working_days = 2.5\n", ["[priorities.P1] working_days", "whole"]),
    "working days past ten years": (P1 + "working_days = 3651\n", ["[priorities.P1] working_days"]),
    "two units": (P1 + "hours = 24\nworking_days = 1\n", ["[priorities.P1]", "exactly one", "hours, working_days"]),
    "no unit": (P1, ["[priorities.P1]", "exactly one"]),
    "codes differing in case": (P1 + "hours = 4\n" + P1.replace("P1", "p1") + "hours = 8\n",
                                ["[priorities.p1]", "[priorities.P1]", "letter case"]),
}

S = '[surveys."2023/24"]\n'
BAD_SURVEY = {
    "surveys a string": ('surveys = "2023/24"\n', ["surveys"]),
    "year without a label": ('[surveys."2023"]\nweighting = "none"\n', ['[surveys."2023"]', "reporting year"]),
    "year with a hyphen": ('[surveys."2023-24"]\nweighting = "none"\n',
                           ['[surveys."2023-24"]', 'did you mean [surveys."2023/24"]']),
    "year that is two years": ('[surveys."2023/25"]\n', ['[surveys."2023/25"]', "reporting year"]),
    "year a string": ('[surveys]\n"2023/24" = "census"\n', ['[surveys."2023/24"]', "must be a table"]),
    "fieldwork not a date": (S + 'fieldwork_start = "next week"\n', ['[surveys."2023/24"] fieldwork_start']),
    "fieldwork a number": (S + "fieldwork_start = 20240129\n", ['[surveys."2023/24"] fieldwork_start']),
    "fieldwork ends before it starts": (S + "fieldwork_start = 2024-03-01\nfieldwork_end = 2024-01-29\n",
                                        ['[surveys."2023/24"] fieldwork_end', "on or after", "not 2024-01-29"]),
    "excluded as text": (S + 'excluded_households = "12"\n', ['[surveys."2023/24"] excluded_households', "'12'"]),
    "excluded negative": (S + "excluded_households = -1\n", ['[surveys."2023/24"] excluded_households']),
    "excluded a fraction": (S + "excluded_households = 12.5\n", ['[surveys."2023/24"] excluded_households']),
    "excluded per tenure as text": (S + 'excluded_households = { LCRA = "ten" }\n',
                                    ['[surveys."2023/24"] excluded_households.LCRA', "'ten'"]),
    "excluded per unknown tenure": (S + "excluded_households = { other = 3 }\n",
                                    ['[surveys."2023/24"] excluded_households', "'other'", "LCRA and LCHO"]),
    "characteristics a string": (S + 'characteristics = "stock_type"\n', ['[surveys."2023/24"] characteristics']),
    "characteristics numbers": (S + "characteristics = [1, 2]\n", ['[surveys."2023/24"] characteristics']),
    "weighting unknown": (S + 'weighting = "raking"\n', ['[surveys."2023/24"] weighting', "none, rim, column"]),
    "weighting a number": (S + "weighting = 1\n", ['[surveys."2023/24"] weighting']),
    "rim without weight_by": (S + 'weighting = "rim"\n', ['[surveys."2023/24"]', "weight_by"]),
    "weight_by a string": (S + 'weight_by = "age_band"\n', ['[surveys."2023/24"] weight_by']),
    "flag threshold zero": (S + "flag_threshold_points = 0\n", ['[surveys."2023/24"] flag_threshold_points']),
    "flag threshold as text": (S + 'flag_threshold_points = "5"\n', ['[surveys."2023/24"] flag_threshold_points']),
    "flag threshold inf": (S + "flag_threshold_points = inf\n", ['[surveys."2023/24"] flag_threshold_points']),
    "flag threshold nan": (S + "flag_threshold_points = nan\n", ['[surveys."2023/24"] flag_threshold_points']),
    "flag threshold over 100": (S + "flag_threshold_points = 101\n", ['[surveys."2023/24"] flag_threshold_points']),
    "sample method unknown": (S + 'sample_method = "random"\n', ['[surveys."2023/24"] sample_method', "census"]),
    "sample method per tenure unknown": (S + 'sample_method = { LCRA = "quota" }\n',
                                         ['[surveys."2023/24"] sample_method.LCRA']),
    "contractor a number": (S + "contractor = 42\n", ['[surveys."2023/24"] contractor']),
    "surveys left out a number": (S + "surveys_left_out = 3\n", ['[surveys."2023/24"] surveys_left_out']),
}


def _dataset(tmp_path: Path, name: str, content: str | bytes) -> Path:
    folder = tmp_path / "ds"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


def _one_line(exc: pytest.ExceptionInfo, *words: str) -> str:
    message = str(exc.value)
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)
    return message


@pytest.mark.parametrize("content,words", BAD_LANDLORD.values(), ids=BAD_LANDLORD.keys())
def test_a_bad_landlord_toml_is_one_line_naming_the_file_and_the_key(tmp_path, content, words):
    folder = _dataset(tmp_path, "landlord.toml", content)
    with pytest.raises(PipelineError) as exc:
        read_landlord(folder)
    assert exc.value.exit_code == 2
    _one_line(exc, "landlord.toml: ", *words)


@pytest.mark.parametrize("content,words", BAD_SURVEY.values(), ids=BAD_SURVEY.keys())
def test_a_bad_survey_toml_is_one_line_naming_the_file_and_the_key(tmp_path, content, words):
    folder = _dataset(tmp_path, "survey.toml", content)
    with pytest.raises(PipelineError) as exc:
        read_survey_config(folder)
    _one_line(exc, "survey.toml: ", *words)


# files that are no regular UTF-8 text file of TOML, for either file
BAD_FILES = {
    "UTF-16 with a byte-order mark": (codecs.BOM_UTF16_LE + 'name = "X"\n'.encode("utf-16-le"),
                                      ["saved as UTF-16; save it as UTF-8"]),
    "UTF-16 big-endian": (codecs.BOM_UTF16_BE + 'name = "X"\n'.encode("utf-16-be"), ["saved as UTF-16"]),
    "UTF-16 without a mark": ('name = "X"\n'.encode("utf-16-le"), ["saved as UTF-16"]),
    "Windows-1252": ('name = "£ Homes"\n'.encode("cp1252"), ["not UTF-8", "0xa3", "line 1"]),
    "not TOML": (b"name = North Shire Homes\n", ["not valid TOML"]),
    "binary": (b'name = "a\x00b"\n', ["NUL"]),
}


@pytest.mark.parametrize("name", ["landlord.toml", "survey.toml"])
@pytest.mark.parametrize("content,words", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_file_that_is_not_utf8_toml_is_one_line_naming_it(tmp_path, name, content, words):
    folder = _dataset(tmp_path, name, content)
    with pytest.raises(PipelineError) as exc:
        (read_landlord if name == "landlord.toml" else read_survey_config)(folder)
    _one_line(exc, str(folder / name), *words)


def _read_in_a_thread(path: Path, seconds: float = 10):
    """read_toml(path) in a daemon thread: a read that blocks fails the test instead of
    hanging it (pytest-timeout is not installed)."""
    result: dict = {}

    def run():
        try:
            result["value"] = read_toml(path)
        except Exception as exc:  # noqa: BLE001
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"read_toml({path}) blocked"
    return result


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_being_opened(tmp_path):
    folder = tmp_path / "ds"
    folder.mkdir()
    os.mkfifo(folder / "landlord.toml")
    result = _read_in_a_thread(folder / "landlord.toml")
    assert isinstance(result.get("error"), PipelineError)
    assert str(result["error"]) == (f"{folder / 'landlord.toml'}: is a named pipe (FIFO), not a "
                                    "file; it must be a text file of TOML settings")


def test_a_folder_a_device_or_a_link_out_of_the_dataset_is_refused(tmp_path):
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "landlord.toml").mkdir()
    with pytest.raises(PipelineError, match=r"landlord.toml: is a folder, not a file"):
        read_landlord(folder)
    outside = tmp_path / "elsewhere.toml"
    outside.write_text('name = "Elsewhere"\n')
    (folder / "survey.toml").symlink_to(outside)
    with pytest.raises(PipelineError, match=r"survey.toml: is a link to a file outside the "
                                            r"dataset folder"):
        read_survey_config(folder)
    (folder / "mapping.toml").symlink_to(folder / "gone.toml")
    with pytest.raises(PipelineError, match=r"mapping.toml: is a link to a file that does not exist"):
        read_toml(folder / "mapping.toml")
    (folder / "null.toml").symlink_to(os.devnull)  # a device, reached through a link
    with pytest.raises(PipelineError, match="outside the dataset folder"):
        read_toml(folder / "null.toml")
    # a link to a file inside the folder is read; a missing file is no settings at all
    (folder / "real.toml").write_text('name = "Inside"\n')
    (folder / "link.toml").symlink_to(folder / "real.toml")
    assert read_toml(folder / "link.toml") == {"name": "Inside"}
    assert read_toml(folder / "absent.toml") == {}


def test_a_device_is_refused(tmp_path):
    result = _read_in_a_thread(Path(os.devnull))
    assert isinstance(result.get("error"), PipelineError)
    assert "is a device, not a file" in str(result["error"])


def test_the_sample_landlord_and_what_is_lenient(tmp_path):
    sample = read_landlord(Path(__file__).resolve().parents[2] / "data" / "sample")
    assert sample.name == "North Shire Homes"
    assert sample.closure_days == (date(2023, 12, 27), date(2024, 12, 27))
    assert (sample.small_number_threshold, sample.personal_data_retention_days) == (5, 30)
    assert sample.landlord_type == "PRP" and sample.settings["benchmarks"] == {"peer_group": "type"}
    frame = priorities_frame(sample)
    assert frame.values.tolist() == [["p1", "P1", "emergency", "hours", 24.0],
                                     ["p2", "P2", "non_emergency", "working_days", 5.0],
                                     ["p3", "P3", "non_emergency", "calendar_days", 28.0]]
    # a UTF-8 byte-order mark (Notepad) is fine; a quoted ISO date is the date it means; HA
    # is a PRP; class in any case; a top-level rsh_code (as the README has it) is the
    # [benchmarks] one; hours may be a fraction
    folder = _dataset(tmp_path, "landlord.toml", codecs.BOM_UTF8 + (
        b'name = "X"\nclosure_days = ["2024-12-27", 2023-12-27]\ndata_as_at = "2024-04-12"\n'
        b'landlord_type = "ha"\nrsh_code = " L4172 "\npersonal_data_retention_days = 0\n'
        b'small_number_threshold = 10\n[priorities.E]\nclass = "Emergency"\nhours = 0.5\n'
    ))
    landlord = read_landlord(folder)
    assert landlord.closure_days == (date(2023, 12, 27), date(2024, 12, 27))
    assert landlord.data_as_at == date(2024, 4, 12)
    assert landlord.landlord_type == "PRP" and landlord.settings["landlord_type"] == "PRP"
    assert landlord.settings["benchmarks"] == {"rsh_code": "L4172"}
    assert landlord.priorities["E"].klass == "emergency" and landlord.priorities["E"].value == 0.5
    # 0 days is valid: erase personal data at the next run
    assert retention_days(landlord) == 0 and retention_days({}) == 30
    with pytest.raises(PipelineError, match="personal_data_retention_days"):
        retention_days({"personal_data_retention_days": "30"})  # never quietly the default


def test_both_readers_of_small_number_threshold_agree(tmp_path):
    folder = _dataset(tmp_path, "landlord.toml", "small_number_threshold = 10\n")
    assert inputs.small_number_threshold(folder) == 10
    assert outputs.small_number_threshold(read_landlord(folder)) == 10
    assert inputs.small_number_threshold(None) == 5
    _dataset(tmp_path, "landlord.toml", 'small_number_threshold = "five"\n')
    for read in (inputs.small_number_threshold,
                 lambda f: outputs.small_number_threshold(read_landlord(f))):
        with pytest.raises(PipelineError, match="small_number_threshold must be a whole number"):
            read(folder)


def test_an_unknown_key_is_a_warning_with_the_nearest_key(tmp_path, caplog):
    folder = _dataset(tmp_path, "landlord.toml",
                      'small_number_treshold = 10\n[priorities.P1]\nclass = "emergency"\n'
                      "hours = 24\nhuors = 4\n[benchmarks]\npeer_grop = \"all\"\nzzz = 1\n")
    _dataset(tmp_path, "survey.toml", '[surveys."2023/24"]\nweigthing = "rim"\n'
                                      '[survey."2024/25"]\n')
    with caplog.at_level(logging.WARNING, logger="tsm"):
        landlord = read_landlord(folder)
        read_landlord(folder)  # read again in the same run: warned once
        surveys = read_survey_config(folder)
    assert landlord.small_number_threshold == 5  # ignored, not fatal (as in mapping.toml)
    assert [r.getMessage() for r in caplog.records] == [
        "landlord.toml: ignores unknown key small_number_treshold (did you mean "
        "small_number_threshold?)",
        "landlord.toml: [benchmarks] ignores unknown key peer_grop (did you mean peer_group?)",
        "landlord.toml: [benchmarks] ignores unknown key zzz; known keys: landlord_type, "
        "peer_group, region, rsh_code, size_band, supported_over_30pct, survey_method",
        "landlord.toml: [priorities.P1] ignores unknown key huors (did you mean hours?)",
        "survey.toml: ignores unknown key survey (did you mean surveys?)",
        'survey.toml: [surveys."2023/24"] ignores unknown key weigthing (did you mean weighting?)',
    ]
    assert surveys["2023/24"].weighting == "none"


def test_survey_values_are_checked_and_typed(tmp_path):
    folder = _dataset(tmp_path, "survey.toml", (
        '[surveys."2023/24"]\nfieldwork_start = "2024-01-29"\nfieldwork_end = 2024-01-29\n'
        'sample_method = { lcra = "Simple_Random", LCHO = "census" }\n'
        "excluded_households = { lcra = 10, LCHO = 0 }\nweighting = \"Column\"\n"
        "flag_threshold_points = 2.5\n"))
    year = read_survey_config(folder)["2023/24"]
    assert year.get("fieldwork_start") == date(2024, 1, 29) == year.get("fieldwork_end")
    assert year.get("sample_method") == {"LCRA": "simple_random", "LCHO": "census"}
    assert year.get("excluded_households") == {"LCRA": 10, "LCHO": 0}
    assert (year.weighting, year.flag_threshold_points) == ("column", 2.5)
    assert list(year.declared) == ["fieldwork_start", "fieldwork_end", "sample_method",
                                   "excluded_households", "weighting", "flag_threshold_points"]


def test_a_bad_landlord_toml_exits_2_in_one_line_before_any_work(tmp_path, capsys):
    folder = _dataset(tmp_path, "landlord.toml", P1 + "hours = inf\n")
    (folder / "homes.csv").write_text("home_ref,tenure\nH1,LCRA\n")
    out = tmp_path / "out"
    code = cli.main(["refresh", "--dataset", str(folder), "--outputs", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == ("error: landlord.toml: [priorities.P1] hours must be a number greater than 0 "
                   "and at most 87,600, not inf\n")
    assert not (out / "warehouse.duckdb").exists() and not out.exists()  # nothing was done


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_landlord_toml_exits_2_from_the_command_line(tmp_path):
    """The case that once blocked forever: the whole command, in its own process, so a
    regression fails on the timeout instead of hanging the suite."""
    import subprocess
    import sys

    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "homes.csv").write_text("home_ref,tenure\nH1,LCRA\n")
    os.mkfifo(folder / "landlord.toml")
    done = subprocess.run([sys.executable, "-m", "pipeline", "refresh", "--dataset", str(folder),
                           "--outputs", str(tmp_path / "out")], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 2
    assert done.stderr == (f"error: {folder / 'landlord.toml'}: is a named pipe (FIFO), not a "
                           "file; it must be a text file of TOML settings\n")
    assert "Traceback" not in done.stdout + done.stderr
