"""What an issuer's keys are, and what a rotation or a compromise means (API and CLI alike).

``keys_report`` lists an organisation's signing keys (window, state) from its aggregate, and for
each compromised key how many credentials it had signed that no longer verify: the issuer's
certificates issued and posts appointed at or after the compromise time and before the key's
window closed, counted in the directory and worker-ladder read models (credentials are built
and signed on fetch, by the key valid at the issuance, so those are exactly the ones that key
signed; competition award credentials are not counted). ``explain_rotation`` and
``explain_compromise`` say in words what changed for holders and verifiers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.organisation import Organisation
from projections.directory import DirectoryQuery
from projections.store import ProjectionStore
from projections.worker_ladder_query import WorkerLadderQuery
from service.credentials.keys import whole_seconds

__all__ = ["explain_compromise", "explain_rotation", "keys_report"]


def key_state(organisation: Organisation, key: Mapping[str, Any]) -> str:
    """``current`` (signs what is issued now), ``retired`` (rotated out; what it signed in its
    window still verifies) or ``compromised`` (its proofs from the compromise on fail)."""
    if key["compromised_at"] is not None:
        return "compromised"
    return "current" if key["key_id"] == organisation.current_key_id else "retired"


def affected_by_kind(
    organisation: Organisation, key: Mapping[str, Any], store: ProjectionStore
) -> dict[str, int] | None:
    """How many certificate and post credentials ``key`` signed after its compromise, from the
    directory and worker-ladder read models (None: not compromised)."""
    if key["compromised_at"] is None:
        return None
    # Proofs' ``created`` and the published ``revoked``/``validFrom`` are whole seconds.
    since = whole_seconds(key["compromised_at"])
    until = whole_seconds(key["valid_until"]) if key["valid_until"] is not None else None
    return {
        "certificates": DirectoryQuery(store).count_certificates_issued(
            organisation.id, since, until
        ),
        "posts": WorkerLadderQuery(store).count_posts_appointed(organisation.id, since, until),
    }


def keys_report(organisation: Organisation, store: ProjectionStore) -> dict[str, Any]:
    """The organisation's keys, oldest first, with state and affected credentials."""
    keys = []
    for key in organisation.signing_keys.values():
        by_kind = affected_by_kind(organisation, key, store)
        keys.append(
            {
                **key,
                "state": key_state(organisation, key),
                "affected_credentials": sum(by_kind.values()) if by_kind is not None else None,
                "affected_by_kind": by_kind,
            }
        )
    return {
        "organisation_id": organisation.id,
        "current_key_id": organisation.current_key_id,
        "keys": keys,
    }


def explain_rotation(report: Mapping[str, Any]) -> dict[str, Any]:
    """``report`` after a rotation, with what it means."""
    keys = report["keys"]
    old = keys[-2]["key_id"] if len(keys) > 1 else None
    return {
        **report,
        "key_id": old,
        "affected_credentials": 0,
        "explanation": (
            f"Key {report['current_key_id']} now signs every credential issued from now on. "
            f"The previous key{' ' + old if old else ''} stays published with its validity "
            "window, so credentials it signed inside that window still verify; nothing needs "
            "re-issuing."
        ),
    }


def explain_compromise(report: Mapping[str, Any], key_id: str) -> dict[str, Any]:
    """``report`` after ``key_id`` was marked compromised, with what it means and how many
    credentials it touches."""
    keys = report["keys"]
    index = next(i for i, key in enumerate(keys) if key["key_id"] == key_id)
    key = keys[index]
    affected = key["affected_credentials"]
    by_kind = key["affected_by_kind"]
    # ``signing_key_for``: the first later key usable from its own start re-signs them.
    successor = next(
        (
            later["key_id"]
            for later in keys[index + 1 :]
            if later["compromised_at"] is None or later["compromised_at"] > later["valid_from"]
        ),
        None,
    )
    replacement = (
        f"they are re-signed by key {successor} the next time they are fetched"
        if successor
        else "the organisation has no usable key now, so they cannot be re-signed until its "
        "key is rotated"
    )
    return {
        **report,
        "key_id": key_id,
        "affected_credentials": affected,
        "explanation": (
            f"Key {key_id} is compromised from {key['compromised_at'].isoformat()}: proofs it "
            f"made from then on no longer verify (key_valid_at_created fails). {affected} "
            f"credential(s) of this issuer ({by_kind['certificates']} certificate(s), "
            f"{by_kind['posts']} post(s)) were issued at or after that time while it was the "
            "signing key; copies downloaded earlier now fail verification, and "
            f"{replacement}. Credentials it signed before the compromise time still verify."
        ),
    }
