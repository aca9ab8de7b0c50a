"""QBR, PIP and offboarding HTML/CSS templates and their assets (package data)."""
