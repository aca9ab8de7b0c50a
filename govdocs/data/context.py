"""The kinds of partner context a human input records (attrition, an acquisition...) and an action
or a configured client action answers. Its own module, below both the config model and the
human inputs, which each name it."""

from __future__ import annotations

from enum import StrEnum


class ContextKind(StrEnum):
    ATTRITION = "attrition"
    ACQUISITION = "acquisition"
    LEADERSHIP_TURNOVER = "leadership_turnover"
    OFFSHORE_MOVE = "offshore_move"
    STRATEGIC_CHANGE = "strategic_change"
    VOLUME_CHANGE = "volume_change"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()
