"""Load step, config half: the governance config and the human-input files.

Every refusal is checked the way a user reads it: the problem's code, its file, line and
config path, the words that tell them what to do, and the exit-code category.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from govdocs.config.loader import load_config
from govdocs.data.inputs import load_partner_inputs
from govdocs.errors import ExitCode, GovdocsError, Problem
from govdocs.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = ROOT / "examples" / "governance.yaml"
EXAMPLE_INPUTS = ROOT / "examples" / "inputs"

# A small valid config; the line numbers below are relied on by the tests.
BASE = textwrap.dedent(
    """\
    client:
      name: Helios
    kpis:
      - id: service_level
        name: Service level
        definition: Answered within 20 s.
        unit: percent
        direction: higher_is_better
        target: 80
        floor: 75
        weight: 2
      - id: aht
        name: Handle time
        definition: Seconds per call.
        unit: seconds
        direction: lower_is_better
        target: 420
        floor: 480
        weight: 1
    partners:
      - id: ATL
        name: Atlas
        contract: {start: 2024-01-01, end: 2026-12-31, notice_days: 90}
    """
)


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def write(tmp_path: Path, text: str | bytes, name: str = "governance.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def config_problems(path: Path) -> list[Problem]:
    with pytest.raises(GovdocsError) as info:
        load_config(path)
    error = info.value
    assert error.exit_code == ExitCode.CONFIG
    assert all(p.category is ExitCode.CONFIG for p in error.problems)
    assert str(error) == "\n".join(str(p) for p in error.problems)
    return error.problems


def where(problem: Problem) -> tuple[str, int | None, str | None]:
    return problem.code, problem.location.line, problem.location.path


# --- the example and a valid file ----------------------------------------------------------


def test_example_config_loads_with_partner_overrides() -> None:
    config = load_config(EXAMPLE_CONFIG)
    assert [p.id for p in config.partners] == ["ATL", "BRV", "CRN", "DLT", "ECH"]
    assert len(config.kpis) == 8
    service_level = config.kpi("service_level")
    assert (service_level.target, service_level.floor) == (80, 75)
    delta = config.effective_kpi(config.partner("DLT"), service_level)
    assert (delta.target, delta.floor) == (85, 80)
    assert delta.target_source == "Delta SOW, Annex B"
    atlas = config.effective_kpi(config.partner("ATL"), service_level)
    assert atlas.target == 80


def test_small_config_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, BASE))
    assert [k.id for k in config.kpis] == ["service_level", "aht"]
    assert config.partners[0].contract.notice_days == 90


def test_merge_keys_may_be_overridden(tmp_path: Path) -> None:
    text = edit(
        BASE,
        "  - id: aht\n    name: Handle time\n",
        "  - id: aht\n    <<: {name: Old, weight: 3}\n    name: Handle time\n",
    )
    text = edit(text, "    floor: 480\n    weight: 1\n", "    floor: 480\n")
    kpi = load_config(write(tmp_path, text)).kpi("aht")
    assert (kpi.name, kpi.weight) == ("Handle time", 3)


# --- YAML-level problems -------------------------------------------------------------------


def test_duplicate_key_names_second_line_and_first(tmp_path: Path) -> None:
    path = write(tmp_path, edit(BASE, "    floor: 75\n", "    floor: 75\n    target: 85\n"))
    [problem] = config_problems(path)
    assert str(problem) == (f"{path}:11: kpis[0].target: duplicate key 'target' (first on line 9) [yaml.duplicate_key]")


def test_duplicate_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "client:\n  name: Other\n")
    [problem] = config_problems(path)
    assert where(problem) == ("yaml.duplicate_key", 24, "client")
    assert "first on line 1" in problem.message


def test_every_shape_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = edit(BASE, "    name: Handle time\n", "")  # kpis[1].name missing
    text = edit(text, "    weight: 1\n", "    weight: heavy\n    colour: red\n")
    text = edit(text, "notice_days: 90", "notice_days: 90.5")
    path = write(tmp_path, text)
    problems = config_problems(path)
    assert sorted(where(p) for p in problems) == [
        ("config.extra_forbidden", 19, "kpis[1].colour"),
        ("config.float_type", 18, "kpis[1].weight"),
        ("config.int_type", 23, "partners[0].contract.notice_days"),
        ("config.missing", 12, "kpis[1].name"),
    ]
    messages = {p.location.path: p.message for p in problems}
    assert messages["kpis[1].name"] == "required field is missing"
    assert messages["kpis[1].colour"].startswith("unknown field")
    assert messages["kpis[1].weight"] == "expected a number, got 'heavy'"


@pytest.mark.parametrize(
    ("written", "read_as"),
    [
        ("NO", "False"),
        ("yes", "True"),
        ("0123", "the number 83 (octal)"),
        ("0x1F", "the number 31 (hexadecimal)"),
        ("1:30", "the number 90 (base 60)"),
        ("2026", "the number 2026"),
        ("1.50", "the number 1.5"),
        ("2026-07-01", "a date"),
    ],
)
def test_yaml_11_partner_ids_must_be_quoted(tmp_path: Path, written: str, read_as: str) -> None:
    path = write(tmp_path, edit(BASE, "- id: ATL", f"- id: {written}"))
    [problem] = config_problems(path)
    assert where(problem) == ("config.string_type", 21, "partners[0].id")
    assert problem.message == f'expected text but YAML read {written} as {read_as}; write it in quotes ("{written}")'


def test_quoted_partner_ids_are_kept_exactly(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, edit(BASE, "- id: ATL", '- id: "0123"')))
    assert config.partners[0].id == "0123"


def test_yaml_11_boolean_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, edit(BASE, "  name: Helios\n", "  name: Helios\n  on: 1\n"))
    [problem] = config_problems(path)
    assert str(problem) == (
        f'{path}:3: client: key on is read as True, not as text; write it in quotes ("on") [yaml.bad_key]'
    )


def test_override_keyed_by_unquoted_number_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "    targets:\n      0123: {target: 90}\n")
    [problem] = config_problems(path)
    assert where(problem) == ("yaml.bad_key", 25, "partners[0].targets")
    assert "read as 83" in problem.message


@pytest.mark.parametrize(("field", "value"), [("target", "yes"), ("weight", "on"), ("target", "'80'")])
def test_numbers_are_not_booleans_or_text(tmp_path: Path, field: str, value: str) -> None:
    old = "    target: 80\n" if field == "target" else "    weight: 2\n"
    path = write(tmp_path, edit(BASE, old, f"    {field}: {value}\n"))
    [problem] = config_problems(path)
    assert where(problem)[1:] == (9 if field == "target" else 11, f"kpis[0].{field}")
    assert problem.message.startswith("expected a number")


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_numbers_must_be_finite(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, edit(BASE, "    target: 420\n", f"    target: {value}\n"))
    [problem] = config_problems(path)
    assert where(problem) == ("config.finite_number", 17, "kpis[1].target")


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object:os.system {{}}",
        "!!python/name:os.system",
        "!!set {{a, b}}",
    ],
)
def test_tags_are_refused_with_their_line(tmp_path: Path, tagged: str) -> None:
    marker = tmp_path / "executed"
    path = write(tmp_path, edit(BASE, "name: Helios", "name: " + tagged.format(marker=marker)))
    [problem] = config_problems(path)
    assert where(problem) == ("yaml.tag", 2, "client.name")
    assert "is not allowed" in problem.message
    assert not marker.exists()


def test_impossible_date_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, edit(BASE, "end: 2026-12-31", "end: 2026-13-31"))
    [problem] = config_problems(path)
    assert str(problem) == (f"{path}:23: partners[0].contract.end: '2026-13-31' is not a valid date [yaml.bad_value]")


def test_syntax_error_has_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, edit(BASE, "  name: Helios\n", "  name: Helios\n\tprogramme: x\n"))
    [problem] = config_problems(path)
    assert where(problem) == ("yaml.syntax", 3, None)
    assert "tabs" in problem.message


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "x: &a [*a]\n")
    [problem] = config_problems(path)
    assert where(problem) == ("yaml.recursive_alias", 24, "x[0]")


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    [problem] = config_problems(path)
    assert problem.code == "yaml.too_large"


def test_nesting_is_bounded_as_written_and_through_aliases(tmp_path: Path) -> None:
    deep = write(tmp_path, "a: " + "[" * 100 + "]" * 100 + "\n", "deep.yaml")
    [problem] = config_problems(deep)
    assert str(problem) == f"{deep}:1: values are nested more than 64 levels deep [yaml.too_large]"
    # each anchor 40 levels deep holds the one before: 200 levels once expanded
    text = "".join(f"a{i}: &a{i} {'[' * 40}{f'*a{i - 1}' if i else 'x'}{']' * 40}\n" for i in range(5))
    [problem] = config_problems(write(tmp_path, text, "aliases.yaml"))
    assert (problem.code, problem.message) == ("yaml.too_large", "values are nested more than 64 levels deep")


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("notice_days: 90", "notice_days: 1000000000", "partners[0].contract.notice_days"),
        ("notice_days: 90}", "notice_days: 90, renewal_months: 100000000}", "partners[0].contract.renewal_months"),
        ("at_risk_tier: Bad\n", "at_risk_tier: Bad\n  at_risk_quarters: 100000000\n", "escalation.at_risk_quarters"),
        (
            "at_risk_tier: Bad\n",
            "at_risk_tier: Bad\n  consecutive_red_for_pip: 1000\n",
            "escalation.consecutive_red_for_pip",
        ),
        (
            "at_risk_tier: Bad\n",
            "at_risk_tier: Bad\npip: {acknowledge_business_days: 100000000}\n",
            "pip.acknowledge_business_days",
        ),
        (
            "at_risk_tier: Bad\n",
            "at_risk_tier: Bad\npip: {every_business_days: 100000000}\n",
            "pip.every_business_days",
        ),
        ("at_risk_tier: Bad\n", "at_risk_tier: Bad\npip: {sustain_months: 100000000}\n", "pip.sustain_months"),
    ],
)
def test_counts_that_drive_dates_and_loops_are_bounded(tmp_path: Path, old: str, new: str, path: str) -> None:
    """A typo'd huge count once overflowed a date (notice_days) or looped for good (at_risk_quarters)."""
    [problem] = config_problems(write(tmp_path, edit(BASE + TIERS, old, new)))
    assert (problem.code, problem.location.path) == ("config.less_than_equal", path)


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        ("client:\n  name: Z\xfcrich\n".encode("latin-1"), "file.encoding", "not UTF-8"),
        (b"", "config.not_mapping", "the config file is empty"),
        (b"# only a comment\n", "config.not_mapping", "the config file is empty"),
        (b"- client\n- kpis\n", "config.not_mapping", "must be a YAML mapping"),
    ],
)
def test_unusable_file_gives_one_clear_problem(tmp_path: Path, content: bytes, code: str, words: str) -> None:
    path = write(tmp_path, content)
    [problem] = config_problems(path)
    assert problem.code == code
    assert problem.location.file == str(path)
    assert words in problem.message


def test_missing_file(tmp_path: Path) -> None:
    [problem] = config_problems(tmp_path / "nowhere.yaml")
    assert problem.code == "file.unreadable"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, b"\xef\xbb\xbf" + BASE.encode()))
    assert config.client.name == "Helios"


# --- meaning (checks.py) -------------------------------------------------------------------

TIERS = textwrap.dedent(
    """\
    scoring:
      tiers:
        - {name: Good, min_score: 70}
        - {name: Bad, min_score: 0}
    escalation:
      at_risk_tier: Bad
    """
)


@pytest.mark.parametrize(
    ("old", "new", "expected", "words"),
    [
        (
            "    floor: 75\n",
            "    floor: 85\n",
            ("config.floor_side", 10, "kpis[0].floor"),
            "floor 85 is above target 80, but higher is better for 'service_level'",
        ),
        (
            "    floor: 480\n",
            "    floor: 400\n",
            ("config.floor_side", 18, "kpis[1].floor"),
            "floor 400 is below target 420, but lower is better for 'aht'",
        ),
        (
            "  - id: aht\n",
            "  - id: service_level\n",
            ("config.duplicate_id", 12, "kpis[1].id"),
            "KPI id 'service_level' is already used by kpis[0]",
        ),
        (
            "    target: 80\n",
            "    target: 120\n",
            ("config.percent_range", 9, "kpis[0].target"),
            "target 120 is not a percentage (0-100)",
        ),
        (
            "end: 2026-12-31",
            "end: 2023-12-31",
            ("config.contract_dates", 23, "partners[0].contract.end"),
            "contract ends (2023-12-31) on or before it starts (2024-01-01)",
        ),
    ],
)
def test_semantic_problems_in_kpis_and_partners(
    tmp_path: Path, old: str, new: str, expected: tuple[str, int, str], words: str
) -> None:
    path = write(tmp_path, edit(BASE, old, new))
    [problem] = config_problems(path)
    assert where(problem) == expected
    assert problem.message == words


@pytest.mark.parametrize(
    ("override", "expected", "words"),
    [
        (
            "abandon: {target: 5}",
            ("config.unknown_kpi", 25, "partners[0].targets.abandon"),
            "target override for unknown KPI 'abandon': no such KPI in kpis; remove partners[0].targets.abandon "
            "with it (or add the KPI back)",
        ),
        (
            "service_level: {floor: 90}",
            ("config.floor_side", 25, "partners[0].targets.service_level"),
            "floor 90 is above target 80, but higher is better for 'service_level'",
        ),
        (
            "aht: {target: 500}",
            ("config.floor_side", 25, "partners[0].targets.aht"),
            "floor 480 is below target 500, but lower is better for 'aht'",
        ),
        (
            "service_level: {target: 101}",
            ("config.percent_range", 25, "partners[0].targets.service_level.target"),
            "target 101 is not a percentage (0-100)",
        ),
    ],
)
def test_semantic_problems_in_overrides(
    tmp_path: Path, override: str, expected: tuple[str, int, str], words: str
) -> None:
    path = write(tmp_path, BASE + f"    targets:\n      {override}\n")
    [problem] = config_problems(path)
    assert where(problem) == expected
    assert problem.message == words


def test_valid_tiers_load(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, BASE + TIERS))
    assert [t.name for t in config.scoring.tiers] == ["Good", "Bad"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "min_score: 70}",
            "min_score: -1}",
            [("config.greater_than_equal", 26, "scoring.tiers[0].min_score")],
        ),
        (
            "min_score: 0}",
            "min_score: 80}",
            [
                ("config.tier_order", 25, "scoring.tiers"),
                ("config.tier_coverage", 25, "scoring.tiers"),
            ],
        ),
        ("min_score: 0}", "min_score: 10}", [("config.tier_coverage", 25, "scoring.tiers")]),
        (
            "min_score: 0}",
            "min_score: 70}",
            [
                ("config.tier_order", 25, "scoring.tiers"),
                ("config.tier_coverage", 25, "scoring.tiers"),
            ],
        ),
        ("name: Good", "name: Bad", [("config.duplicate_tier", 27, "scoring.tiers[1].name")]),
        (
            "at_risk_tier: Bad",
            "at_risk_tier: At risk",
            [("config.unknown_tier", 29, "escalation.at_risk_tier")],
        ),
    ],
)
def test_tier_problems(tmp_path: Path, old: str, new: str, expected: list[tuple[str, int, str]]) -> None:
    path = write(tmp_path, BASE + edit(TIERS, old, new))
    assert sorted(where(p) for p in config_problems(path)) == sorted(expected)


def test_unknown_at_risk_tier_lists_the_tiers(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + edit(TIERS, "at_risk_tier: Bad", "at_risk_tier: Red"))
    [problem] = config_problems(path)
    assert str(problem) == (
        f"{path}:29: escalation.at_risk_tier: at_risk_tier 'Red' is not one of the tiers "
        "(Good, Bad) [config.unknown_tier]"
    )


def test_semantic_and_override_problems_are_reported_together(tmp_path: Path) -> None:
    text = edit(BASE, "    floor: 75\n", "    floor: 85\n")
    path = write(
        tmp_path,
        text + "    targets:\n      nope: {target: 1}\n" + edit(TIERS, "at_risk_tier: Bad", "at_risk_tier: X"),
    )
    assert sorted(where(p) for p in config_problems(path)) == [
        ("config.floor_side", 10, "kpis[0].floor"),
        ("config.unknown_kpi", 25, "partners[0].targets.nope"),
        ("config.unknown_tier", 31, "escalation.at_risk_tier"),
    ]


# --- human inputs ---------------------------------------------------------------------------

KPI_IDS = {"service_level", "asa", "abandonment", "aht", "fcr", "csat", "qa_score", "attrition"}

INPUTS = textwrap.dedent(
    """\
    partner: DLT
    quarter: 2026-Q3
    client_factors:
      - kpi: aht
        factor: No canned responses yet.
    """
)


def inputs_problems(path: Path, partner: str = "DLT", quarter: str | None = "2026-Q3") -> list[Problem]:
    with pytest.raises(GovdocsError) as info:
        load_partner_inputs(path, partner, KPI_IDS, quarter)
    assert info.value.exit_code == ExitCode.INPUTS
    assert all(p.category is ExitCode.INPUTS for p in info.value.problems)
    return info.value.problems


@pytest.mark.parametrize("partner", ["ATL", "BRV", "CRN", "DLT", "ECH"])
def test_example_inputs_load(partner: str) -> None:
    config = load_config(EXAMPLE_CONFIG)
    assert {k.id for k in config.kpis} == KPI_IDS
    inputs = load_partner_inputs(EXAMPLE_INPUTS / f"{partner}.yaml", partner, KPI_IDS, "2026-Q3")
    assert inputs.partner == partner


def test_inputs_quarter_spelling_does_not_matter(tmp_path: Path) -> None:
    path = write(tmp_path, edit(INPUTS, "2026-Q3", "2026q3"), "DLT.yaml")
    assert load_partner_inputs(path, "DLT", KPI_IDS, "2026-Q3").client_factors[0].kpi == "aht"


def test_inputs_for_another_partner_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, INPUTS, "ATL.yaml")
    [problem] = inputs_problems(path, partner="ATL")
    assert str(problem) == (
        f"{path}:1: partner: file is for partner 'DLT' but is named for 'ATL' [inputs.wrong_partner]"
    )


def test_inputs_unknown_kpi_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, edit(INPUTS, "kpi: aht", "kpi: hold_time"), "DLT.yaml")
    [problem] = inputs_problems(path)
    assert where(problem) == ("inputs.unknown_kpi", 4, "client_factors[0].kpi")
    assert problem.message == "unknown KPI 'hold_time'"


def test_inputs_for_another_quarter_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, INPUTS, "DLT.yaml")
    [problem] = inputs_problems(path, quarter="2026-Q4")
    assert where(problem) == ("inputs.wrong_quarter", 2, "quarter")
    assert problem.message == "inputs were written for 2026-Q3, the document is for 2026-Q4"


def test_inputs_quarter_must_be_a_quarter(tmp_path: Path) -> None:
    path = write(tmp_path, edit(INPUTS, "2026-Q3", "Q3"), "DLT.yaml")
    [problem] = inputs_problems(path, quarter=None)
    assert where(problem) == ("inputs.bad_quarter", 2, "quarter")


def test_inputs_problems_are_all_reported(tmp_path: Path) -> None:
    text = INPUTS + "next_steps:\n  - action: Call\n    owner: Tom\n    due: soon\n  - owner: Ana\n"
    path = write(tmp_path, text, "DLT.yaml")
    assert sorted(where(p) for p in inputs_problems(path)) == [
        ("inputs.date_from_datetime_parsing", 9, "next_steps[0].due"),
        ("inputs.missing", 10, "next_steps[1].action"),
        ("inputs.missing", 10, "next_steps[1].due"),
    ]


@pytest.mark.parametrize(
    ("content", "code", "line"),
    [
        (b"partner: DLT\npartner: DLT\n", "yaml.duplicate_key", 2),
        (b"partner: DLT\n  quarter: [\n", "yaml.syntax", 2),
        (b"- DLT\n", "inputs.not_mapping", 1),
        (b"partner: \xff\n", "file.encoding", 1),
        (b"partner: DLT\nquarter: \xff\n", "file.encoding", 2),
        ("partner: DLT\n".encode("utf-16"), "file.encoding", 1),
        (b"partner: DLT\nquarter: 2026\x00Q3\n", "yaml.syntax", 2),
    ],
)
def test_unreadable_inputs_use_the_inputs_exit_code(
    tmp_path: Path, content: bytes, code: str, line: int | None
) -> None:
    [problem] = inputs_problems(write(tmp_path, content, "DLT.yaml"))
    assert (problem.code, problem.location.line) == (code, line)


def test_load_yaml_records_lines_for_paths(tmp_path: Path) -> None:
    doc = load_yaml(write(tmp_path, BASE))
    assert doc.line_of(("kpis", 1, "floor")) == 18
    assert doc.line_of(("partners", 0, "contract", "start")) == 23
    assert doc.line_of(("kpis", 1, "no_such_field")) == 12  # a missing key points at its parent


EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "examples" / "governance.yaml"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "weeks: 4, after: [parallel_run]}",
            "weeks: 4, after: [paralel_run]}",
            "checklist item 'data_return': 'after' names no checklist item paralel_run",
        ),
        (
            "weeks: 12, internal: true}",
            "weeks: 12, internal: true, after: [parallel_run]}",
            "checklist item 'knowledge_transfer' comes after itself through its 'after' items",
        ),
    ],
)
def test_the_transition_order_must_name_items_and_end(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "governance.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(GovdocsError) as info:
        load_config(path)
    (problem,) = info.value.problems
    line = text[: text.index("\noffboarding:")].count("\n") + 2
    assert str(problem) == f"{path}:{line}: offboarding: {message} [config.checklist_order]"
    assert problem.category is ExitCode.CONFIG


# --- the plan record ---------------------------------------------------------------------------

PLAN = "    contract: {start: 2024-01-01, end: 2026-12-31, notice_days: 90}\n"


@pytest.mark.parametrize(
    ("plans", "expected", "words"),
    [
        (
            "    plans: [{quarter: 2026-Q1, start: 2026-03-30}]\n",
            ("config.plan_start", 24, "partners[0].plans[0].start"),
            "a plan follows the review of its quarter: start 2026-03-30 is not after 2026-Q1 ended (2026-03-31)",
        ),
        (
            "    plans:\n      - {quarter: 2026-Q2, start: 2026-07-06}\n"
            "      - {quarter: 2026-Q1, start: 2026-04-07}\n",
            ("config.plan_order", 26, "partners[0].plans[1].start"),
            "plans are listed oldest first: 2026-04-07 is not after 2026-07-06",
        ),
        (
            "    plans: [{quarter: 2026-Q1, start: 2026-04-07, final_review: 2026-04-10}]\n",
            ("config.plan_final_review", 24, "partners[0].plans[0].final_review"),
            "final review 2026-04-10 must fall 14 to 732 days after the start (2026-04-07)",
        ),
        (
            "    plans: [{quarter: 2026-Q1, start: 2026-04-07, kpis: [fcr]}]\n",
            ("config.unknown_kpi", 24, "partners[0].plans[0].kpis[0]"),
            "plan names unknown KPI 'fcr': no such KPI in kpis; remove 'fcr' from partners[0].plans[0].kpis "
            "with it (or add the KPI back)",
        ),
    ],
)
def test_a_plan_on_record_is_checked_with_its_path_and_line(tmp_path: Path, plans: str, expected, words) -> None:
    path = write(tmp_path, edit(BASE, PLAN, PLAN + plans))
    [problem] = config_problems(path)
    assert where(problem) == expected
    assert problem.message == words


def test_plans_named_in_inputs_or_assessments_say_where_they_moved(tmp_path: Path) -> None:
    """One plan record: the inputs' open_plan and the assessment's pip are refused with one line each."""
    from govdocs.config.loader import load_config as load
    from govdocs.data.assessment import load_assessment

    inputs = write(tmp_path, "partner: ATL\nopen_plan: {quarter: 2026-Q2, start: 2026-07-06}\n", "ATL.yaml")
    with pytest.raises(GovdocsError) as caught:
        load_partner_inputs(inputs, "ATL", {"service_level"})
    assert str(caught.value) == (
        f"{inputs}:2: open_plan: plans are recorded in the config now: move this one to partners[].plans of "
        "'ATL' (quarter, start) so every document and the escalation ladder read it [inputs.plan_moved]"
    )
    assert caught.value.exit_code is ExitCode.INPUTS
    review = write(
        tmp_path,
        "partner: ATL\nassessed_by: Me\nassessed_on: 2026-10-01\npip: {quarter: 2026-Q1, start: 2026-04-07}\n",
        "review.yaml",
    )
    with pytest.raises(GovdocsError) as caught:
        load_assessment(review, "ATL", load(EXAMPLE_CONFIG))
    assert "review.yaml:4: pip: plans are recorded in the config now" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected", "words"),
    [
        (
            "version: 2\n" + BASE,
            ("config.version", 1, "version"),
            "format version 2 is not one this govdocs reads (1)",
        ),
        (
            BASE
            + "  - id: atl\n    name: Atlas Two\n    contract: {start: 2024-01-01, end: 2026-12-31, notice_days: 9}\n",
            ("config.duplicate_id", 24, "partners[1].id"),
            "partner id 'atl' differs from 'ATL' only by case: their file names would be one file on Windows and macOS",
        ),
        (
            edit(BASE, "  - id: ATL\n", "  - id: NUL.txt\n"),
            ("config.reserved_id", 21, "partners[0].id"),
            "partner id 'NUL.txt' is a reserved file name on Windows: choose another",
        ),
        (
            edit(BASE, "  - id: ATL\n", "  - id: com1\n"),
            ("config.reserved_id", 21, "partners[0].id"),
            "partner id 'com1' is a reserved file name on Windows: choose another",
        ),
    ],
)
def test_versions_and_partner_ids_that_would_collide_as_file_names(tmp_path: Path, text: str, expected, words) -> None:
    [problem] = config_problems(write(tmp_path, text))
    assert where(problem) == expected
    assert problem.message == words


def test_a_notice_period_as_long_as_the_contract_is_refused(tmp_path: Path) -> None:
    """It gave 'Notice deadline 2 April 2017 (passed 3483 days ago)' on a 2024-2026 contract."""
    [problem] = config_problems(write(tmp_path, edit(BASE, "notice_days: 90}", "notice_days: 2000}")))
    assert where(problem) == ("config.notice_period", 23, "partners[0].contract.notice_days")
    assert problem.message == (
        "a notice period of 2000 days is as long as the contract or longer (2024-01-01 to 2026-12-31): "
        "notice could never be given in time"
    )
