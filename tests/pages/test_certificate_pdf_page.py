"""/me's certificate PDF download: the signed-in worker gets their own certificates only, the ID
number shown as they choose; the table links each valid certificate, a shared page does not."""

from __future__ import annotations

from tests.pages.pages_world import PagesWorld
from tests.pages.test_worker import worker_client


def test_the_worker_downloads_their_own_certificate_and_only_theirs(pages_world: PagesWorld):
    client = worker_client(pages_world)
    number = pages_world.world.ids["certificate"]
    page = client.get("/me").text
    assert f'/me/certificate.pdf?number={number}"' in page
    assert "<legend>证件号码显示为</legend>" in page
    assert 'name="id_number" value="last4"' in page

    answer = client.get(f"/me/certificate.pdf?number={number}&id_number=hidden")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.data.startswith(b"%PDF-") and b"/ByteRange" in answer.data
    assert answer.headers["Content-Disposition"] == f'attachment; filename="{number}.pdf"'
    assert answer.headers["Cache-Control"] == "private, no-store"

    assert client.get(f"/me/certificate.pdf?number={number}&id_number=full").status_code == 400
    others = pages_world.world.fresh_certificate()  # another worker's
    assert client.get(f"/me/certificate.pdf?number={others}").status_code == 404
    assert client.get("/me/certificate.pdf?number=nonsense").status_code == 404
    anonymous = pages_world.client().get(f"/me/certificate.pdf?number={number}")
    assert anonymous.status_code == 303 and anonymous.location.startswith("/signin")
