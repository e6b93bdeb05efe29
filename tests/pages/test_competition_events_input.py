"""``Last-Event-ID`` is the client's to send: a value that is not a log position (a digit
Python reads as one but ``int`` does not, or more digits than ``int`` parses) resumes nothing
-- the board comes whole -- instead of failing the stream with 500."""

from __future__ import annotations

import pytest

from tests.pages.pages_world import PagesWorld, competition
from tests.support.api_world import unique


@pytest.mark.parametrize(
    "last_seen", ["²", "٣٤", "9" * 5000, "-1", "1e3"], ids=["sup", "arabic", "huge", "neg", "exp"]
)
def test_a_last_event_id_that_is_no_position_opens_the_stream(
    pages_world: PagesWorld, last_seen: str
) -> None:
    world = pages_world.world
    competition_id = competition(world, f"SSE-{unique()}", [world.fresh_worker(world.ids["org_a"])])
    response = pages_world.client().get(
        f"/competitions/{competition_id}/events",
        headers={"Last-Event-ID": last_seen},
        buffered=False,
    )
    try:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert response.mimetype == "text/event-stream"
    finally:
        response.close()
