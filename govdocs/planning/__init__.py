"""Decide step, plans: business-day calendars, improvement plans, their progress and outcome."""
