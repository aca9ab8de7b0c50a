"""Validate step, config half: rules a schema cannot express, each reported with path and line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from govdocs.config.model import Commercial, Direction, FeeBasis, GovernanceConfig, Kpi, Partner, PlanRecord
from govdocs.errors import ExitCode, GovdocsError, Problem
from govdocs.isolation import canonical, disguise_problem
from govdocs.periods import Quarter
from govdocs.raw.checks import check_raw_data

if TYPE_CHECKING:
    from govdocs.yamlfile import YamlDocument


# Names Windows reserves in every folder, with or without an extension: a partner id is a file name.
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}


# A problem of the config: (code, message, path to the field).
Found = Iterator[tuple[str, str, tuple[str | int, ...]]]


def _floor_problem(kpi: Kpi, target: float, floor: float | None) -> str | None:
    if floor is None:
        return None
    if kpi.direction is Direction.HIGHER and floor > target:
        return f"floor {floor:g} is above target {target:g}, but higher is better for '{kpi.id}'"
    if kpi.direction is Direction.LOWER and floor < target:
        return f"floor {floor:g} is below target {target:g}, but lower is better for '{kpi.id}'"
    if floor == target:
        return f"floor equals target ({target:g}); omit the floor for no amber band"
    return None


def _plan_record_problems(
    plans: list[PlanRecord], kpi_ids: set[str], where: tuple[str | int, ...]
) -> Iterator[tuple[str, str, tuple[str | int, ...]]]:
    previous = None
    for j, record in enumerate(plans):
        quarter = Quarter.parse(record.quarter)
        if record.start <= quarter.end_date():
            yield (
                "config.plan_start",
                f"a plan follows the review of its quarter: start {record.start} is not after {quarter} "
                f"ended ({quarter.end_date()})",
                (*where, j, "start"),
            )
        if record.final_review is not None and not 14 <= (record.final_review - record.start).days <= 732:
            yield (
                "config.plan_final_review",
                f"final review {record.final_review} must fall 14 to 732 days after the start ({record.start})",
                (*where, j, "final_review"),
            )
        if previous is not None and record.start <= previous:
            yield (
                "config.plan_order",
                f"plans are listed oldest first: {record.start} is not after {previous}",
                (
                    *where,
                    j,
                    "start",
                ),
            )
        previous = record.start
        for k, kpi_id in enumerate(record.kpis):
            if kpi_id not in kpi_ids:
                yield "config.unknown_kpi", f"plan names unknown KPI '{kpi_id}'", (*where, j, "kpis", k)


def _commercial_problems(
    config: GovernanceConfig, terms: Commercial, where: tuple[str | int, ...]
) -> Iterator[tuple[str, str, tuple[str | int, ...]]]:
    kpi_ids = {k.id for k in config.kpis}
    for kpi_id in terms.allocation or {}:
        if kpi_id not in kpi_ids:
            yield "config.unknown_kpi", f"allocation to unknown KPI '{kpi_id}'", (*where, "allocation", kpi_id)
        elif not config.kpi(kpi_id).contractual:
            yield (
                "config.allocation_sla",
                f"'{kpi_id}' is not a contractual SLA (contractual: true): only SLAs earn service credits",
                (*where, "allocation", kpi_id),
            )
    for j, kpi_id in enumerate(terms.relief_kpis or []):
        if kpi_id not in kpi_ids:
            yield "config.unknown_kpi", f"relief for unknown KPI '{kpi_id}'", (*where, "relief_kpis", j)
    fees = terms.fees
    if fees is not None:
        if fees.basis is FeeBasis.MONTHLY and fees.monthly is None:
            yield "config.fees", "basis: monthly needs monthly: the monthly fee", (*where, "fees")
        if fees.basis is FeeBasis.PER_CONTACT and (fees.per_contact is None or fees.volume_kpi is None):
            yield (
                "config.fees",
                "basis: per_contact needs per_contact (the rate) and volume_kpi (whose volume is billed)",
                (*where, "fees"),
            )
        if fees.volume_kpi is not None and fees.volume_kpi not in kpi_ids:
            yield (
                "config.unknown_kpi",
                f"fees volume_kpi is unknown KPI '{fees.volume_kpi}'",
                (*where, "fees", "volume_kpi"),
            )
    if terms.forecast is not None and terms.forecast.volume_kpi not in kpi_ids:
        yield (
            "config.unknown_kpi",
            f"forecast volume_kpi is unknown KPI '{terms.forecast.volume_kpi}'",
            (*where, "forecast", "volume_kpi"),
        )
    exit_costs = terms.exit
    if exit_costs is not None:
        items = {item.id for item in config.offboarding.checklist}
        for item_id in exit_costs.transition:
            if item_id not in items:
                yield (
                    "config.unknown_checklist_item",
                    f"transition cost for '{item_id}', which is not a checklist item ({', '.join(sorted(items))})",
                    (*where, "exit", "transition", item_id),
                )


def _terms_problems(
    config: GovernanceConfig, partner: Partner, i: int
) -> Iterator[tuple[str, str, tuple[str | int, ...]]]:
    """The partner's terms once the programme's defaults are filled in: a fee it can be known by."""
    own, programme = partner.commercial, config.commercial
    fees = (own.fees if own and own.fees else None) or (programme.fees if programme and programme.fees else None)
    has_terms = any(t is not None and t.at_risk_percent is not None for t in (own, programme)) and any(
        t is not None and t.allocation for t in (own, programme)
    )
    if has_terms and (fees is None or fees.basis is FeeBasis.ANNUAL_VALUE) and partner.contract.annual_value is None:
        yield (
            "config.fees",
            "service credits need the month's fee: set contract.annual_value, or commercial.fees",
            ("partners", i, "contract"),
        )


def _check(config: GovernanceConfig) -> Found:
    """Every rule the config's fields keep together, section by section: the problems in the order
    of the sections (kpis, version, partners, commercial, watermelon, client factors, partner
    names, the plan's actions and calendar, offboarding, scoring)."""
    yield from _kpi_problems(config)
    if config.version != 1:
        yield "config.version", f"format version {config.version} is not one this govdocs reads (1)", ("version",)
    kpi_ids = {k.id for k in config.kpis}
    yield from _partner_problems(config, kpi_ids)
    yield from _programme_commercial_problems(config)
    yield from _watermelon_problems(config, kpi_ids)
    yield from _client_factor_problems(config, kpi_ids)
    yield from _partner_name_problems(config)
    yield from _plan_problems(config, kpi_ids)
    yield from _offboarding_problems(config, kpi_ids)
    yield from _scoring_problems(config)


def _kpi_problems(config: GovernanceConfig) -> Found:
    """kpis: unique ids, the floor on the right side of the target, percentages and scales."""
    seen: dict[str, int] = {}
    for i, kpi in enumerate(config.kpis):
        if kpi.id in seen:
            yield (
                "config.duplicate_id",
                f"KPI id '{kpi.id}' is already used by kpis[{seen[kpi.id]}]",
                ("kpis", i, "id"),
            )
        seen.setdefault(kpi.id, i)
        if (message := _floor_problem(kpi, kpi.target, kpi.floor)) is not None:
            yield "config.floor_side", message, ("kpis", i, "floor")
        if kpi.proportion and kpi.unit.value != "percent":
            yield (
                "config.proportion_unit",
                f"proportion: true needs unit percent (a share of the sample, 0-100), not {kpi.unit.value}",
                ("kpis", i, "proportion"),
            )
        if kpi.unit.value == "percent":
            for name, value in (("target", kpi.target), ("floor", kpi.floor)):
                if value is not None and not 0 <= value <= 100:
                    yield (
                        "config.percent_range",
                        f"{name} {value:g} is not a percentage (0-100)",
                        ("kpis", i, name),
                    )
        if kpi.scale is not None:
            low, high = kpi.scale
            if low >= high:
                yield "config.scale", f"scale [{low:g}, {high:g}] must run from low to high", ("kpis", i, "scale")
            else:
                for name, value in (("target", kpi.target), ("floor", kpi.floor)):
                    if value is not None and not low <= value <= high:
                        yield (
                            "config.outside_scale",
                            f"{name} {value:g} is outside the KPI's scale [{low:g}, {high:g}]",
                            ("kpis", i, name),
                        )


def _partner_problems(config: GovernanceConfig, kpi_ids: set[str]) -> Found:
    """partners: unique ids that make file names on every system, contract dates and notice,
    target overrides, plans on record, commercial terms."""
    seen: dict[str, int] = {}
    folded: dict[str, str] = {}
    for i, partner in enumerate(config.partners):
        if partner.id in seen:
            yield (
                "config.duplicate_id",
                f"partner id '{partner.id}' is already used by partners[{seen[partner.id]}]",
                ("partners", i, "id"),
            )
        elif partner.id.casefold() in folded:
            yield (
                "config.duplicate_id",
                f"partner id '{partner.id}' differs from '{folded[partner.id.casefold()]}' only by case: their "
                "file names would be one file on Windows and macOS",
                ("partners", i, "id"),
            )
        elif partner.id.split(".")[0].upper() in WINDOWS_RESERVED:
            yield (
                "config.reserved_id",
                f"partner id '{partner.id}' is a reserved file name on Windows: choose another",
                ("partners", i, "id"),
            )
        seen.setdefault(partner.id, i)
        folded.setdefault(partner.id.casefold(), partner.id)
        contract = partner.contract
        if contract.end <= contract.start:
            yield (
                "config.contract_dates",
                f"contract ends ({contract.end}) on or before it starts ({contract.start})",
                ("partners", i, "contract", "end"),
            )
        elif contract.notice_days >= (contract.end - contract.start).days:
            yield (
                "config.notice_period",
                f"a notice period of {contract.notice_days} days is as long as the contract or longer "
                f"({contract.start} to {contract.end}): notice could never be given in time",
                ("partners", i, "contract", "notice_days"),
            )
        for kpi_id, override in partner.targets.items():
            path = ("partners", i, "targets", kpi_id)
            if kpi_id not in kpi_ids:
                yield "config.unknown_kpi", f"target override for unknown KPI '{kpi_id}'", path
                continue
            kpi = config.kpi(kpi_id)
            target = override.target if override.target is not None else kpi.target
            floor = override.floor if override.floor is not None else kpi.floor
            if (message := _floor_problem(kpi, target, floor)) is not None:
                yield "config.floor_side", message, path
            if kpi.unit.value == "percent":
                for name, value in (("target", override.target), ("floor", override.floor)):
                    if value is not None and not 0 <= value <= 100:
                        message = f"{name} {value:g} is not a percentage (0-100)"
                        yield "config.percent_range", message, (*path, name)

        yield from _plan_record_problems(partner.plans, kpi_ids, ("partners", i, "plans"))
        if partner.commercial is not None:
            yield from _commercial_problems(config, partner.commercial, ("partners", i, "commercial"))
        yield from _terms_problems(config, partner, i)


def _programme_commercial_problems(config: GovernanceConfig) -> Found:
    """commercial: the programme's terms (a forecast is a partner's own)."""
    if config.commercial is not None:
        yield from _commercial_problems(config, config.commercial, ("commercial",))
        if config.commercial.forecast is not None:
            yield (
                "config.forecast_place",
                "a forecast is the partner's own: put it under the partner's commercial section",
                ("commercial", "forecast"),
            )


def _watermelon_problems(config: GovernanceConfig, kpi_ids: set[str]) -> Found:
    """watermelon: each pair names known KPIs, its SLA a contractual one."""
    for i, pair in enumerate(config.watermelon):
        for name in ("sla", "outcome"):
            if getattr(pair, name) not in kpi_ids:
                yield (
                    "config.unknown_kpi",
                    f"watermelon pair names unknown KPI '{getattr(pair, name)}'",
                    (
                        "watermelon",
                        i,
                        name,
                    ),
                )
        if pair.sla in kpi_ids and not config.kpi(pair.sla).contractual:
            yield (
                "config.watermelon_sla",
                f"'{pair.sla}' is not a contractual SLA (contractual: true): the panel pairs an SLA with an outcome",
                ("watermelon", i, "sla"),
            )


def _client_factor_problems(config: GovernanceConfig, kpi_ids: set[str]) -> Found:
    """client_factors: known KPIs and partners."""
    partner_ids = {p.id for p in config.partners}
    for i, factor in enumerate(config.client_factors):
        if factor.kpi not in kpi_ids:
            yield "config.unknown_kpi", f"client factor for unknown KPI '{factor.kpi}'", ("client_factors", i, "kpi")
        for j, pid in enumerate(factor.partners or []):
            if pid not in partner_ids:
                yield (
                    "config.unknown_partner",
                    f"client factor for unknown partner '{pid}'",
                    ("client_factors", i, "partners", j),
                )


def _partner_name_problems(config: GovernanceConfig) -> Found:
    """partners' names and aliases: no two partners share one, none disguised."""
    names_seen: dict[str, str] = {}
    for i, partner in enumerate(config.partners):
        yield from _disguised_names(i, partner)
        for j, name in enumerate([partner.name, *partner.aliases]):
            key = canonical(name)
            if key in names_seen and names_seen[key] != partner.id:
                path = ("partners", i, "name") if j == 0 else ("partners", i, "aliases", j - 1)
                yield "config.duplicate_name", f"'{name}' is also a name of partner '{names_seen[key]}'", path
            names_seen.setdefault(key, partner.id)


def _plan_problems(config: GovernanceConfig, kpi_ids: set[str]) -> Found:
    """action_library and pip: known KPIs, unique ids, actions due within the plan, the plan's
    length, holiday calendar and time zone."""
    library_ids: set[str] = set()
    for i, template in enumerate(config.action_library):
        if template.kpi not in kpi_ids:
            yield "config.unknown_kpi", f"action for unknown KPI '{template.kpi}'", ("action_library", i, "kpi")
        if template.id in library_ids:
            yield "config.duplicate_id", f"action id '{template.id}' is used twice", ("action_library", i, "id")
        library_ids.add(template.id)
        if template.due_days > config.pip.duration_days:
            yield (
                "config.action_after_plan",
                f"due {template.due_days} days after the start, after the {config.pip.duration_days}-day plan ends",
                ("action_library", i, "due_days"),
            )
    if config.pip.max_duration_days < config.pip.duration_days:
        yield (
            "config.plan_length",
            f"max_duration_days {config.pip.max_duration_days} is shorter than duration_days "
            f"{config.pip.duration_days}",
            ("pip", "max_duration_days"),
        )
    if config.pip.holiday_country is not None:
        import holidays

        try:
            holidays.country_holidays(config.pip.holiday_country, subdiv=config.pip.holiday_subdivision)
        except NotImplementedError as exc:
            field = "holiday_subdivision" if config.pip.holiday_subdivision else "holiday_country"
            yield "config.holiday_calendar", f"no holiday calendar: {exc}", ("pip", field)
    try:
        ZoneInfo(config.pip.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        yield "config.timezone", f"'{config.pip.timezone}' is not an IANA time zone", ("pip", "timezone")


def _offboarding_problems(config: GovernanceConfig, kpi_ids: set[str]) -> Found:
    """offboarding: known KPIs and evidence, bands in order."""
    off = config.offboarding
    for key in ("satisfaction_kpi", "volume_kpi"):
        value = getattr(off, key)
        if value is not None and value not in kpi_ids:
            yield "config.unknown_kpi", f"unknown KPI '{value}'", ("offboarding", key)
    for key in off.evidence_weights:
        if key not in {"failures", "pip_outcome", "score", "satisfaction"}:
            yield "config.unknown_evidence", f"unknown evidence '{key}'", ("offboarding", "evidence_weights", key)
    rules = off.rules
    if not rules.retain_from > rules.retain_with_pip_from > rules.prepare_exit_from:
        yield (
            "config.rule_order",
            "bands must satisfy retain_from > retain_with_pip_from > prepare_exit_from",
            ("offboarding", "rules"),
        )


def _scoring_problems(config: GovernanceConfig) -> Found:
    """scoring and escalation: tiers unique, ordered and covering 0, points in order, the
    at-risk tier one of them."""
    tiers = config.scoring.tiers
    names = [t.name for t in tiers]
    for i, tier in enumerate(tiers):
        if names.index(tier.name) != i:
            yield (
                "config.duplicate_tier",
                f"tier '{tier.name}' appears twice",
                ("scoring", "tiers", i, "name"),
            )
    scores = [t.min_score for t in tiers]
    if any(higher <= lower for higher, lower in zip(scores, scores[1:], strict=False)):
        # equal min_scores would leave a tier no score can reach
        yield (
            "config.tier_order",
            "list tiers from the highest min_score to the lowest, each min_score different",
            ("scoring", "tiers"),
        )
    if min(t.min_score for t in tiers) != 0:
        yield (
            "config.tier_coverage",
            "the lowest tier must have min_score 0 so every score has a tier",
            ("scoring", "tiers"),
        )
    points = config.scoring.points
    if not points.green >= points.amber >= points.red:
        yield (
            "config.points_order",
            "points must satisfy green >= amber >= red",
            ("scoring", "points"),
        )
    if (at_risk := config.escalation.at_risk_tier) not in names:
        yield (
            "config.unknown_tier",
            f"at_risk_tier '{at_risk}' is not one of the tiers ({', '.join(names)})",
            ("escalation", "at_risk_tier"),
        )


TRUSTED_CERTIFICATE_BYTES = 2**16  # a certificate file of the trust list: a few chained PEM certificates


def trusted_paths(config: GovernanceConfig, config_file: str | Path) -> tuple[Path, ...]:
    """The trust list's certificate files, each relative to the config's folder."""
    if config.signing is None:
        return ()
    return tuple(Path(config_file).parent / name for name in config.signing.trusted)


def _trust_list_problems(config: GovernanceConfig, doc: YamlDocument) -> Iterator[Problem]:
    from govdocs import extras
    from govdocs.files import read_regular

    # the certificates are parsed by the sign extra's asn1crypto; without it they are only read (and
    # `response import`, the one reader of the trust list, asks for the extra itself)
    parse = extras.installed("sign")

    for i, path in enumerate(trusted_paths(config, doc.file)):
        location = doc.location(("signing", "trusted", i))
        written = config.signing.trusted[i] if config.signing else str(path)
        try:
            raw = read_regular(path, ExitCode.CONFIG, TRUSTED_CERTIFICATE_BYTES, "a certificate file")
        except GovdocsError as exc:
            yield from (Problem(p.code, f"'{written}': {p.message}", location, ExitCode.CONFIG) for p in exc.problems)
            continue
        if not parse:
            continue
        try:
            from asn1crypto import pem, x509

            ders = [der for _, _, der in pem.unarmor(raw, multiple=True)] if pem.detect(raw) else [raw]
            for der in ders:
                x509.Certificate.load(der, strict=True).native  # noqa: B018 -- parses every field
        except Exception:
            message = f"{path.name} is not an X.509 certificate (PEM or DER); give the certifier's certificate"
            yield Problem("config.not_a_certificate", message, location, ExitCode.CONFIG)
            continue
        if not ders:
            yield Problem("config.not_a_certificate", f"{path.name} holds no certificate", location, ExitCode.CONFIG)


DANGLING = {"config.unknown_kpi": "KPI", "config.unknown_partner": "partner"}  # references `validate --fix` removes


def remedy_path(code: str, message: str, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    """What to remove with a KPI or partner the config no longer has: the id from its list of
    ids, the key that is the id (targets.abandon), a field of its own (offboarding.volume_kpi),
    or the list entry holding the reference (a pair, a factor, an action). None for a problem of
    another kind. Said by `validate`, removed by `validate --fix`: one rule for both."""
    if code not in DANGLING:
        return None
    if isinstance(path[-1], int) and len(path) > 1 and isinstance(path[-2], str):
        return path  # an id in a list of ids
    if f"'{path[-1]}'" in message or len(path) < 2 or not isinstance(path[-2], int):
        # a field of its own, unless its section cannot be without it (a forecast's volume_kpi):
        # then the section goes
        return path[:-1] if len(path) > 1 and _required_field(path) else path
    return path[:-1]


def _required_field(path: tuple[str | int, ...]) -> bool:
    """Whether the config's model requires the field at `path` (walking the models' fields)."""
    from types import UnionType
    from typing import Annotated, Union, get_args, get_origin

    from pydantic import BaseModel

    def model_in(annotation: object) -> tuple[type[BaseModel] | None, bool]:
        """The model an annotation holds, and whether it is reached through a mapping's key."""
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation, False
        if origin is dict:
            return model_in(get_args(annotation)[1])[0], True
        if origin in (list, Union, UnionType, Annotated):
            for arg in get_args(annotation):
                found, keyed = model_in(arg)
                if found is not None:
                    return found, keyed
        return None, False

    model: type[BaseModel] | None = GovernanceConfig
    keyed = False
    names = [key for key in path if isinstance(key, str)]
    for i, key in enumerate(names):
        if keyed:  # a mapping's own key (targets.abandon): not a field
            keyed = False
            continue
        field = model.model_fields.get(key) if model is not None else None
        if field is None:
            return False
        if i == len(names) - 1:
            return field.is_required()
        model, keyed = model_in(field.annotation)
    return False


def _with_remedy(code: str, message: str, path: tuple[str | int, ...]) -> str:
    """A reference to a KPI or partner the config no longer has (one removed from `kpis` or
    `partners`, say) says what to remove with it (or `validate --fix` removes it)."""
    from govdocs.yamlfile import format_path

    target = remedy_path(code, message, path)
    if target is None:
        return message
    what = DANGLING[code]
    section = "kpis" if what == "KPI" else "partners"
    if target == path and isinstance(path[-1], int):
        named = re.search(r"'([^']*)'", message)
        ident = f"'{named.group(1)}'" if named else "the id"
        shown = f"{ident} from {format_path(path[:-1])}"
    else:
        shown = format_path(target)
    return f"{message}: no such {what} in {section}; remove {shown} with it (or add the {what} back)"


def check_config(config: GovernanceConfig, doc: YamlDocument) -> list[Problem]:
    problems = [
        Problem(code, _with_remedy(code, message, path), doc.location(path), ExitCode.CONFIG)
        for code, message, path in _check(config)
    ]
    problems += list(_trust_list_problems(config, doc))
    if config.raw_data is not None:
        units = {k.id: k.unit.value for k in config.kpis}
        partner_ids = [p.id for p in config.partners]
        found = check_raw_data(config.raw_data, kpi_units=units, partner_ids=partner_ids, doc=doc)
        problems += [p for p in found if p.severity == "error"]  # unit hints are for `validate` of the mapping
    return problems


def _disguised_names(index: int, partner: Partner) -> Iterator[tuple[str, str, tuple[str | int, ...]]]:
    """A partner's name, alias or contact written so that it reads as something else (a bidi
    control, an invisible character, Latin mixed with Cyrillic or Greek look-alikes): refused, as
    neither the isolation check nor a reader could trust it."""
    where: list[tuple[tuple[str | int, ...], str]] = [(("partners", index, "name"), partner.name)]
    where += [(("partners", index, "aliases", j), alias) for j, alias in enumerate(partner.aliases)]
    for j, contact in enumerate(partner.contacts):
        where.append((("partners", index, "contacts", j, "name"), contact.name))
        if contact.email:
            where.append((("partners", index, "contacts", j, "email"), contact.email))
    for path, text in where:
        if why := disguise_problem(text):
            yield "config.disguised_name", f"'{ascii(text)[1:-1]}' {why}", path
