"""Load step, config half: the governance config (YAML -> validated pydantic models)."""

from govdocs.config.loader import load_config
from govdocs.config.model import GovernanceConfig, Kpi, Partner

__all__ = ["GovernanceConfig", "Kpi", "Partner", "load_config"]
