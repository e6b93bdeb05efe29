"""Competition pages: the live board for the organiser (and its JSON for polling) while marking,
for the public the locked components only (or "not published" if the organiser chose); the final
board with awards and standardised scores, names masked, for everyone."""

from __future__ import annotations

from tests.pages.pages_world import PagesWorld, mark, sign_in


def organiser(pages_world: PagesWorld):
    client = pages_world.client()
    sign_in(client, pages_world.world.tokens["organiser"])
    return client


def test_the_list_shows_both_competitions(pages_world):
    page = pages_world.client().get("/competitions")
    assert page.status_code == 200
    assert f"/competitions/{pages_world.marking}" in page.text
    assert f"/competitions/{pages_world.finalised}" in page.text


def test_while_marking_the_public_sees_locked_components_only_or_nothing_if_private(pages_world):
    client = pages_world.client()
    board = client.get(f"/competitions/{pages_world.marking}/board.json")
    assert board.status_code == 200  # public after lock, the default: nothing locked yet
    rows = board.json["items"]
    assert rows and all(row["total"] is None and row["rank"] is None for row in rows)
    assert all(set(row["components"].values()) == {None} for row in rows)
    assert "赵六" not in client.get(f"/competitions/{pages_world.marking}").text
    world = pages_world.world
    world.ledger.competitions.choose_board_visibility(
        pages_world.marking, visibility="private", actor="test"
    )
    try:
        page = client.get(f"/competitions/{pages_world.marking}")
        assert page.status_code == 200
        assert "成绩尚未发布" in page.text and 'id="board"' not in page.text
        board = client.get(f"/competitions/{pages_world.marking}/board.json")
        assert board.status_code == 403 and board.mimetype == "application/problem+json"
    finally:
        world.ledger.competitions.choose_board_visibility(
            pages_world.marking, visibility="public-after-lock", actor="test"
        )


def test_the_organiser_sees_the_live_board_and_its_json_follows_new_marks(pages_world):
    client = organiser(pages_world)
    page = client.get(f"/competitions/{pages_world.marking}")
    assert 'data-board-url="/competitions/' in page.text and "实时排行榜" in page.text
    assert "赵六" in page.text, "the organiser sees names"
    before = client.get(f"/competitions/{pages_world.marking}/board.json").json
    totals = {row["name"]: row["total"] for row in before["items"]}
    assert totals["赵六"] is not None and totals["钱七"] is None
    mark(pages_world.world, pages_world.marking, pages_world.entrants[1], "95", "90")
    after = client.get(f"/competitions/{pages_world.marking}/board.json").json
    ranked = [(row["rank"], row["name"]) for row in after["items"] if row["rank"]]
    assert ranked[0] == (1, "钱七")
    assert after["log_position"] > before["log_position"] and after["live"] is True


def test_the_final_board_is_public_with_awards_standardised_scores_and_masked_names(pages_world):
    page = pages_world.client().get(f"/competitions/{pages_world.finalised}")
    assert page.status_code == 200
    html = page.text
    assert "金牌" in html and "银牌" in html and "铜牌" in html
    assert "赵*" in html and "赵六" not in html
    assert "data-board-url" not in html, "a final board does not poll"
    board = pages_world.client().get(f"/competitions/{pages_world.finalised}/board.json").json
    assert board["final"] is True
    assert all(row["standardised"] is not None for row in board["items"])
    assert {row["award"] for row in board["items"]} >= {"gold", "silver", "bronze"}


def test_competitions_name_their_occupation_and_level_from_the_catalogues(pages_world):
    client = pages_world.client()
    listed = client.get("/competitions?lang=zh").text
    assert "<td>电工（6-31-01-03）</td>" in listed
    page = client.get(f"/competitions/{pages_world.finalised}?lang=zh").text
    assert "<dd>电工（6-31-01-03）</dd>" in page
    assert "<dd>三级/高级工</dd>" in page
    english = client.get(f"/competitions/{pages_world.finalised}?lang=en").text
    assert "<dd>电工 (6-31-01-03)</dd>" in english
    assert "<dd>Level 3 / Senior Worker</dd>" in english
