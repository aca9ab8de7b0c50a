"""Score and decide steps: KPI status, quarter values, partner score, escalation."""
