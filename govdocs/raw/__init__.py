"""Raw records (interactions, surveys, QA evaluations, an agent roster) -> the canonical KPI table.

model.py: the `raw_data` config section; sql/: its definitions as SQL text (one module per stage); engine.py: DuckDB
runs them over the files; quality.py: rejected rows and why; Wilson intervals live in scoring/stats.py.
"""
