"""govdocs: vendor-governance documents from partner KPI data and a governance config."""

__version__ = "0.1.0"
