"""Render steps: Jinja environment and formatters, charts, HTML -> PDF, atomic output."""
