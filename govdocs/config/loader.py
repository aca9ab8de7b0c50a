"""Load step, config half: YAML text -> GovernanceConfig, every problem with path and line.

The YAML is read by `govdocs.yamlfile` (safe, line-keeping, bounded); pydantic validates the
shape and `checks.py` the meaning.
"""

from __future__ import annotations

from pathlib import Path

from govdocs.config.checks import check_config
from govdocs.config.model import GovernanceConfig
from govdocs.errors import ExitCode, GovdocsError
from govdocs.yamlfile import YamlDocument, load_yaml, model_from_document


def config_from_document(doc: YamlDocument) -> GovernanceConfig:
    """Validate the shape with pydantic, then the meaning; raise with every problem found."""
    what = "the config file is empty" if doc.data is None else "the config must be a YAML mapping"
    config = model_from_document(
        doc,
        GovernanceConfig,
        "config",
        ExitCode.CONFIG,
        ("config.not_mapping", f"{what}: it needs the keys client, kpis and partners"),
    )

    problems = check_config(config, doc)
    if problems:
        raise GovdocsError(problems)
    return config


def load_config(path: Path) -> GovernanceConfig:
    from govdocs.progress import step

    with step(f"reading the config {path.name}"):
        return config_from_document(load_yaml(path))
