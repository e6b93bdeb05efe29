"""Private keys never appear in the stored log, in any response, or in any log line."""

from __future__ import annotations

import logging

from flask.testing import FlaskClient

from service.ledger import Ledger
from tests.credentials.secret_forms import private_keys_of, secret_forms
from tests.factories import Issued, issue_to_new_worker


def test_no_private_key_in_events_responses_or_logs(
    ledger: Ledger, client: FlaskClient, issued: Issued, caplog
):
    caplog.set_level(logging.DEBUG)
    ledger.credentials.rotate_signing_key(issued.body_id, actor="t")
    old_key = next(iter(ledger.organisation(issued.body_id).signing_keys))
    ledger.credentials.mark_key_compromised(
        issued.body_id, old_key, compromised_at=ledger.clock(), actor="t", reason="leak drill"
    )
    later = issue_to_new_worker(ledger, issued.body_id, 2, "李四")
    ledger.certificates.change_certificate_status(later.number, "suspend", actor="t", reason="抽查")
    ledger.credentials.key_store.ledger_key()
    answers = []
    for number in (issued.number, later.number):
        answers.append(client.get(f"/api/v1/certificates/{number}/credential"))
        credential = ledger.credentials.certificate_credential(number)
        answers.append(
            client.post("/credentials/verify", json={"verifiableCredential": credential})
        )
    answers.append(client.get(f"/organisations/{issued.body_id}/did.json"))
    for purpose in ("revocation", "suspension"):
        answers.append(client.get(f"/api/v1/status-lists/{issued.body_id}/{purpose}"))
    answers.append(client.get(f"/api/v1/organisations/{issued.body_id}"))
    answers.append(client.get(f"/api/v1/certificates/{issued.number}"))
    assert all(answer.status_code == 200 for answer in answers), [a.status_code for a in answers]

    keys = [*private_keys_of(ledger, issued.body_id), ledger.credentials.key_store.ledger_key()[1]]
    assert len(keys) == 3
    forms = [form for key in keys for form in secret_forms(key)]
    stored = [notification.state for notification in ledger.notifications()]
    assert len(stored) > 10
    served = [answer.get_data() + str(answer.headers).encode() for answer in answers]
    logged = [caplog.text.encode(), *(str(r.__dict__).encode() for r in caplog.records)]
    for haystack in stored + served + logged:
        for form in forms:
            assert form not in haystack
