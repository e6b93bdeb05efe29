"""Audit over HTTP: the log and histories for auditors; tree heads and proofs for everyone.

Auditor only:

- ``GET /api/v1/audit/events?after=&limit=``: the whole log, in log order;
- ``GET /api/v1/audit/aggregates/{id}/events?after=&limit=``: one aggregate's history;
- ``GET /api/v1/audit/aggregates/{id}?version=|as_of=``: its state at a version or date;
- ``GET /api/v1/audit/leaves/{index}``: a leaf's stored bytes.

Public:

- ``GET /api/v1/audit/tree-head[?size=N]``: the signed tree head (RFC 6962 ``get-sth``);
- ``GET /api/v1/audit/tree-heads?after=&limit=``: every head signed, by size;
- ``GET /api/v1/audit/proofs/inclusion?index=&size=``: RFC 9162 inclusion proof;
- ``GET /api/v1/audit/proofs/consistency?first=&second=``: RFC 9162 consistency proof;
- ``GET /api/v1/audit/public-key``: the ledger's tree-head key as a ``Multikey``.

JSON names are RFC 6962's: a tree head is ``tree_size``, ``timestamp`` (ms), ``sha256_root_hash``,
``tree_head_signature``; an inclusion proof ``leaf_index``, ``tree_size``, ``leaf_hash``,
``audit_path``; a consistency proof ``first``, ``second``, ``consistency``; hashes are standard
base64. ``craftledger audit check-proof`` verifies them offline from saved files.

App config: ``AUDIT_HEAD_INTERVAL_SECONDS`` (60) and ``AUDIT_HEAD_EVERY_EVENTS`` (1000) -- a new
head is signed once the log grew and either has passed since the last one (see
``service.audit.HeadPolicy``); the projection runner's thread checks after each pass. Every view
here only reads what is recorded: a leaf no signed head covers yet answers 409 ``not-yet-signed``
with ``Retry-After`` (the background signs one within ``AUDIT_HEAD_INTERVAL_SECONDS``).

The log never holds ID numbers (only masked forms and keyed hashes), and every string that looks
like one is masked again on the way out, so auditors see masked data. Histories are for the
auditor role only (separation of duties: admins act, auditors read).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from service.api.auth import access
from service.api.openapi import Blueprint
from service.api.problems import Problem, validation_problem
from service.app_services import current_audit, ledger
from service.audit import LogUnavailable, NotYetSigned, OutOfRange, parse_moment

__all__ = ["blp"]

blp = Blueprint(
    "audit",
    __name__,
    url_prefix="/api/v1/audit",
    description="Audit: the whole log and every aggregate's history for auditors; the RFC 9162 "
    "transparency log's signed tree heads, inclusion and consistency proofs for everyone.",
)

MAX_SIZE = 2**63 - 1
MAX_PAGE = 1000
AUDITOR = {"auditor": "every event (ID numbers masked)"}
EVERYONE = {
    role: "anyone" for role in ("public", "admin", "issuer", "organiser", "auditor", "worker")
}
IMMUTABLE = "public, max-age=31536000, immutable"


# -- problems -----------------------------------------------------------------------------------


def unavailable(error: Exception) -> Problem:
    if isinstance(error, NotYetSigned):
        return Problem(
            409,
            "not-yet-signed",
            f"{error}; a tree head covering it is signed in the background within"
            f" {error.retry_after} s: ask again then",
            headers={"Retry-After": str(error.retry_after)},
        )
    return Problem(404, "not-found", str(error))


def _out_of_range(error: Exception, parameter: str) -> Problem:
    return validation_problem([{"location": "query", "parameter": parameter, "detail": str(error)}])


# -- schemas --------------------------------------------------------------------------------------


def _size(description: str, **kwargs: Any) -> ma.fields.Integer:
    return ma.fields.Integer(
        strict=False,
        validate=validate.Range(min=0, max=MAX_SIZE),
        metadata={"description": description},
        **kwargs,
    )


def _events_per_page() -> ma.fields.Integer:
    return ma.fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": f"events per page, 1..{MAX_PAGE}"},
    )


class EventsArgs(ma.Schema):
    after = _size("log position to start after (0: from the beginning)", load_default=0)
    limit = _events_per_page()


class AggregateEventsArgs(ma.Schema):
    after = _size("aggregate version to start after (0: from its first event)", load_default=0)
    limit = _events_per_page()


class AggregateStateArgs(ma.Schema):
    version = ma.fields.Integer(
        validate=validate.Range(min=1, max=MAX_SIZE),
        metadata={"description": "the aggregate's version (default: the newest)"},
    )
    as_of = ma.fields.String(
        validate=validate.Length(min=10, max=40),
        metadata={
            "description": "a date (YYYY-MM-DD: the end of that day, UTC+8) or an ISO 8601 "
            "date-time with a zone; the state after the last event recorded by then"
        },
    )


class AuditEventSchema(ma.Schema):
    position = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "log position"}
    )
    leaf_index = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "its leaf in the transparency log (null: not logged yet)"},
    )
    leaf_hash = ma.fields.String(required=True, allow_none=True, metadata={"format": "byte"})
    aggregate_id = ma.fields.UUID(required=True)
    aggregate_version = ma.fields.Integer(required=True)
    topic = ma.fields.String(required=True)
    type = ma.fields.String(required=True)
    timestamp = ma.fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    actor = ma.fields.Raw(required=True, allow_none=True)
    reason = ma.fields.Raw(required=True, allow_none=True)
    data = ma.fields.Raw(required=True, metadata={"description": "the event (ID numbers masked)"})
    decode_error = ma.fields.String(
        metadata={"description": "set when this version cannot decode the event's topic"}
    )


class EventsPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AuditEventSchema), required=True)
    next_after = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "pass as ?after= for the next page; null on the last"},
    )
    log_position = ma.fields.Integer(required=True, metadata={"description": "the log's head"})


class AggregateEventsPageSchema(ma.Schema):
    aggregate_id = ma.fields.UUID(required=True)
    items = ma.fields.List(ma.fields.Nested(AuditEventSchema), required=True)
    next_after = ma.fields.Integer(required=True, allow_none=True)


class AggregateStateSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    type = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    latest_version = ma.fields.Integer(required=True)
    as_of = ma.fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    created_on = ma.fields.String(required=True, allow_none=True)
    modified_on = ma.fields.String(required=True, allow_none=True)
    position = ma.fields.Integer(required=True, allow_none=True)
    leaf_index = ma.fields.Integer(required=True, allow_none=True)
    state = ma.fields.Raw(required=True, metadata={"description": "attributes (masked)"})


class LeafSchema(ma.Schema):
    leaf_index = ma.fields.Integer(required=True)
    position = ma.fields.Integer(required=True)
    aggregate_id = ma.fields.String(required=True)
    aggregate_version = ma.fields.Integer(required=True)
    leaf_hash = ma.fields.String(required=True, metadata={"format": "byte"})
    leaf_data = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={
            "format": "byte",
            "description": "base64 of the stored event's RFC 8785 canonical JSON (null: the "
            "event is no longer stored, or withheld)",
        },
    )
    withheld = ma.fields.Boolean(
        required=True,
        metadata={
            "description": "the bytes hold an ID-number-shaped string (free text), so they are "
            "not served; audit verify still checks them"
        },
    )
    matches_log = ma.fields.Boolean(required=True)


class TreeHeadArgs(ma.Schema):
    size = _size("the head signed for exactly this tree size (default: the newest head)")


class TreeHeadSchema(ma.Schema):
    """RFC 6962 ``get-sth``."""

    tree_size = ma.fields.Integer(required=True)
    timestamp = ma.fields.Integer(
        required=True, metadata={"description": "milliseconds since the epoch (UTC)"}
    )
    sha256_root_hash = ma.fields.String(required=True, metadata={"format": "byte"})
    tree_head_signature = ma.fields.String(
        required=True,
        metadata={
            "format": "byte",
            "description": "Ed25519 over 'craftledger-tree-head' || 0x01 || tree_size (8) || "
            "timestamp (8) || root (32), with the key at /api/v1/audit/public-key",
        },
    )


class TreeHeadHistoryItemSchema(TreeHeadSchema):
    key_id = ma.fields.String(required=True)
    log_position = ma.fields.Integer(required=True)


class TreeHeadsArgs(ma.Schema):
    after = ma.fields.Integer(
        load_default=-1,
        validate=validate.Range(min=-1, max=MAX_SIZE),
        metadata={"description": "tree size to start after (-1: from the first head)"},
    )
    limit = ma.fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PAGE))


class TreeHeadsPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TreeHeadHistoryItemSchema), required=True)
    next_after = ma.fields.Integer(required=True, allow_none=True)


class InclusionArgs(ma.Schema):
    index = _size("the leaf's index (counting from 0)")
    position = ma.fields.Integer(
        validate=validate.Range(min=1, max=MAX_SIZE),
        metadata={"description": "alternatively, the event's log position"},
    )
    size = _size("tree size (default: the newest signed head's)")


class InclusionProofSchema(ma.Schema):
    leaf_index = ma.fields.Integer(required=True)
    tree_size = ma.fields.Integer(required=True)
    leaf_hash = ma.fields.String(required=True, metadata={"format": "byte"})
    audit_path = ma.fields.List(
        ma.fields.String(metadata={"format": "byte"}),
        required=True,
        metadata={"description": "PATH(leaf_index, D[0:tree_size]) of RFC 9162, bottom-up"},
    )


class ConsistencyArgs(ma.Schema):
    first = _size("the earlier tree size", required=True)
    second = _size("the later tree size (default: the newest signed head's)")


class ConsistencyProofSchema(ma.Schema):
    first = ma.fields.Integer(required=True)
    second = ma.fields.Integer(required=True)
    consistency = ma.fields.List(
        ma.fields.String(metadata={"format": "byte"}),
        required=True,
        metadata={"description": "PROOF(first, D[0:second]) of RFC 9162"},
    )


class PublicKeySchema(ma.Schema):
    context = ma.fields.String(required=True, attribute="@context", data_key="@context")
    id = ma.fields.String(required=True)
    type = ma.fields.String(required=True, metadata={"description": "Multikey"})
    controller = ma.fields.String(required=True)
    publicKeyMultibase = ma.fields.String(
        required=True, metadata={"description": "Ed25519 public key, z6Mk…"}
    )


# -- histories (auditors) -----------------------------------------------------------------------


@blp.route("/events", methods=["GET"])
@access(**AUDITOR)
@blp.arguments(EventsArgs, location="query")
@blp.query(EventsPageSchema, errors=(422,))
def list_events(args: dict[str, Any]) -> Any:
    """The whole log in log order, each event with its time, type, actor, reason and data
    (ID numbers masked) and its leaf in the transparency log. Page on with ``next_after``."""
    return current_audit().histories.events(args["after"], args["limit"])


@blp.route("/aggregates/<uuid:aggregate_id>/events", methods=["GET"])
@access(**AUDITOR)
@blp.arguments(AggregateEventsArgs, location="query")
@blp.query(AggregateEventsPageSchema, errors=(404, 422))
def aggregate_events(args: dict[str, Any], aggregate_id: UUID) -> Any:
    """One aggregate's history (an organisation, worker, certificate, competition…), oldest
    first, with each event's log position and leaf."""
    try:
        return current_audit().histories.aggregate_events(
            aggregate_id, args["after"], args["limit"]
        )
    except LookupError as error:
        raise unavailable(error) from None


@blp.route("/aggregates/<uuid:aggregate_id>", methods=["GET"])
@access(**AUDITOR)
@blp.arguments(AggregateStateArgs, location="query")
@blp.query(AggregateStateSchema, errors=(404, 422))
def aggregate_state(args: dict[str, Any], aggregate_id: UUID) -> Any:
    """An aggregate's state at a version (``?version=``) or as of a date or time
    (``?as_of=``), rebuilt from its events; the newest state when neither is given."""
    if "version" in args and "as_of" in args:
        raise validation_problem(
            [{"location": "query", "parameter": "as_of", "detail": "give version or as_of"}]
        )
    as_of = None
    if "as_of" in args:
        try:
            as_of = parse_moment(args["as_of"])
        except ValueError as error:
            raise _out_of_range(error, "as_of") from None
    try:
        return current_audit().histories.aggregate_state(
            aggregate_id, version=args.get("version"), as_of=as_of
        )
    except LookupError as error:
        raise unavailable(error) from None


@blp.route("/leaves/<int:index>", methods=["GET"])
@access(**AUDITOR)
@blp.query(LeafSchema, errors=(404,))
def get_leaf(index: int) -> Any:
    """One leaf of the transparency log with the stored event's canonical bytes, so an
    auditor can recompute ``leaf_hash`` (and pass the bytes to ``check-proof --leaf``)."""
    try:
        return current_audit().histories.leaf_record(index)
    except OutOfRange as error:
        raise unavailable(error) from None


# -- tree heads and proofs (public) -------------------------------------------------------------


@blp.route("/tree-head", methods=["GET"])
@access(**EVERYONE)
@blp.arguments(TreeHeadArgs, location="query")
@blp.query(TreeHeadSchema, errors=(404, 409, 422))
def get_tree_head(args: dict[str, Any]) -> Any:
    """The newest signed tree head (heads are signed in the background when the log grew and
    one is due), or with ``?size=N`` the head signed when the log had N leaves (404 if none
    was). 409 with ``Retry-After`` before the first head."""
    audit = current_audit()
    size = args.get("size")
    if size is None:
        try:
            latest = audit.proofs.latest_head()
        except LogUnavailable as error:
            raise unavailable(error) from None
        return latest.to_json(), 200, {"Cache-Control": "no-cache"}
    head = audit.heads.of_size(size)
    if head is None:
        nearest = audit.heads.nearest_sizes(size)
        hint = f"; heads were signed at sizes {' and '.join(map(str, nearest))}" if nearest else ""
        raise Problem(404, "not-found", f"no tree head was signed for size {size}{hint}")
    return head.to_json(), 200, {"Cache-Control": IMMUTABLE}


@blp.route("/tree-heads", methods=["GET"])
@access(**EVERYONE)
@blp.arguments(TreeHeadsArgs, location="query")
@blp.query(TreeHeadsPageSchema, errors=(422,))
def list_tree_heads(args: dict[str, Any]) -> Any:
    """Every signed tree head, by tree size (sizes and timestamps both increase)."""
    heads = current_audit().heads.history(args["after"], args["limit"] + 1)
    more = len(heads) > args["limit"]
    heads = heads[: args["limit"]]
    return {
        "items": [head.to_history_json() for head in heads],
        "next_after": heads[-1].tree_size if more else None,
    }


@blp.route("/proofs/inclusion", methods=["GET"])
@access(**EVERYONE)
@blp.arguments(InclusionArgs, location="query")
@blp.query(InclusionProofSchema, errors=(404, 409, 422))
def get_inclusion_proof(args: dict[str, Any]) -> Any:
    """RFC 9162 inclusion proof of leaf ``index`` (or of the event at ``position``) in the
    tree of ``size`` leaves (default: the newest signed head). A leaf in the log that no signed
    head covers yet answers 409 ``not-yet-signed`` with ``Retry-After``; one not in the log 404."""
    audit = current_audit()
    if ("index" in args) == ("position" in args):
        raise validation_problem(
            [{"location": "query", "parameter": "index", "detail": "give index or position"}]
        )
    logged = audit.log.size() if audit.log.ready() else 0
    index = args.get("index")
    if index is None:
        record = audit.log.leaf_at_position(args["position"]) if logged else None
        if record is None:
            raise Problem(404, "not-found", f"no event at position {args['position']} in the log")
        index = record.leaf_index
    elif "size" not in args and index >= logged:
        raise Problem(404, "not-found", f"no leaf {index}: the log has {logged} leaves")
    try:
        proof = audit.proofs.inclusion_proof(index, args.get("size"))
    except LogUnavailable as error:
        raise unavailable(error) from None
    except OutOfRange as error:
        raise _out_of_range(error, "index") from None
    cache = IMMUTABLE if "size" in args else "no-cache"
    return proof.to_json(), 200, {"Cache-Control": cache}


@blp.route("/proofs/consistency", methods=["GET"])
@access(**EVERYONE)
@blp.arguments(ConsistencyArgs, location="query")
@blp.query(ConsistencyProofSchema, errors=(404, 409, 422))
def get_consistency_proof(args: dict[str, Any]) -> Any:
    """RFC 9162 consistency proof that the tree of ``first`` leaves is a prefix of the tree
    of ``second`` leaves (default: the newest signed head): nothing was rewritten or removed."""
    try:
        proof = current_audit().proofs.consistency_proof(args["first"], args.get("second"))
    except LogUnavailable as error:
        raise unavailable(error) from None
    except OutOfRange as error:
        raise _out_of_range(error, "first") from None
    cache = IMMUTABLE if "second" in args else "no-cache"
    return proof.to_json(), 200, {"Cache-Control": cache}


@blp.route("/public-key", methods=["GET"])
@access(**EVERYONE)
@blp.query(PublicKeySchema, errors=(404,))
def get_public_key() -> Any:
    """The ledger's own Ed25519 key, which signs tree heads, as a W3C ``Multikey``."""
    try:
        return current_audit().heads.public_key_document(
            ledger().credentials.credential_urls.base_url
        )
    except LogUnavailable as error:
        raise unavailable(error) from None
