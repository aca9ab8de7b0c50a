"""Load step, data half: KPI data files and the human-input files."""
