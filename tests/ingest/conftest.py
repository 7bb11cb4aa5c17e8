"""Small hand-written topics shared by the ingestion tests."""

from __future__ import annotations

import pytest

from briefings.ingest import PointDoc, TopicDoc


@pytest.fixture
def topics() -> tuple[TopicDoc, ...]:
    return (
        TopicDoc(
            "harbour",
            "The new harbour",
            "Construction of the container harbour",
            ("port",),
            (
                PointDoc(1, "The container harbour will open in 2026 after three years of works."),
                PointDoc(2, "Dredging the harbour basin cost the city 40 million euros."),
            ),
        ),
        TopicDoc(
            "schools",
            "Schools",
            "Teachers, pupils and school buildings",
            ("education",),
            (
                PointDoc(3, "Teachers in the district went on strike over pay for two days."),
                PointDoc(4, "Two primary schools will close because pupil numbers fell."),
            ),
        ),
    )
