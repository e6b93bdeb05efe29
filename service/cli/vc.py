"""``craftledger vc``: sign a credential and verify one, offline or online; present
credentials as a holder.

``vc sign`` refuses a credential that breaks a MUST of VC Data Model 2.0
(``service.signing.data_model``) and, for ``eddsa-rdfc-2022``, one that is not JSON-LD in safe
mode over the pinned contexts (an undefined term, a context not pinned here); by default it adds
both proofs, a proof set. ``--context URL=FILE`` pins a further JSON-LD context for RDFC (none
is ever fetched). ``vc verify`` lists each proof of the set and exits 0 only when every check
passed: a check that cannot be made (an issuer whose controller document was not given, a status
list that cannot be fetched) is "unknown" and exits 1, naming what was missing. ``vc present``
wraps credential files in a presentation signed by a did:key holder, for ``POST
/presentations/verify`` or ``vc verify-presentation``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import click

from service.credentials.jsonld_contexts import document_loader
from service.signing.canonical_json import JSONValueError, parse_strict
from service.signing.credential_verifier import (
    Check,
    VerificationReport,
    controller_file_resolver,
    status_list_file_resolver,
    verify_credential,
)
from service.signing.data_integrity import (
    CRYPTOSUITES,
    ProofError,
    add_proofs,
    parse_date_time_stamp,
)
from service.signing.data_model import violations
from service.signing.multikey import (
    DID_KEY_PREFIX,
    MultikeyError,
    decode_private_key,
    did_key_public_multibase,
    did_key_verification_method,
    public_multibase_of,
)
from service.signing.presentation_verifier import sign_presentation, verify_presentation
from service.signing.rdfc_proof import JsonLdRefused
from service.signing.web_resolvers import web_controller_resolver, web_status_list_resolver

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _pinned_contexts(
    context: click.Context, parameter: click.Parameter, values: tuple[str, ...]
) -> dict[str, Any]:
    """``URL=FILE`` pairs to the parsed context documents they pin."""
    contexts: dict[str, Any] = {}
    for value in values:
        url, _, path = value.partition("=")
        if not url or not path or not Path(path).is_file():
            raise click.BadParameter(f"{value!r} is not URL=FILE with an existing file")
        contexts[url] = _read_json(Path(path).read_bytes(), path)
    return contexts


_CONTEXT_OPTION = click.option(
    "--context",
    "contexts",
    multiple=True,
    callback=_pinned_contexts,
    metavar="URL=FILE",
    help="pin a further JSON-LD context (eddsa-rdfc-2022; contexts are never fetched)",
)


@click.group()
def vc() -> None:
    """Sign and verify verifiable credentials (Data Integrity eddsa-jcs-2022, eddsa-rdfc-2022)."""


def _read_json(data: bytes, what: str) -> Any:
    try:
        return parse_strict(data)
    except JSONValueError as error:
        raise click.ClickException(f"{what}: {error}") from None


def _load_private_key(key_file: Path, verification_method: str) -> Any:
    """The private key in ``key_file``, checked against its public key and a did:key method."""
    material = _read_json(key_file.read_bytes(), str(key_file))
    if not isinstance(material, dict) or not isinstance(material.get("privateKeyMultibase"), str):
        raise click.ClickException(f"{key_file}: expected a JSON object with privateKeyMultibase")
    try:
        private_key = decode_private_key(material["privateKeyMultibase"])
        public = public_multibase_of(private_key)
        if material.get("publicKeyMultibase", public) != public:
            raise click.ClickException(f"{key_file}: publicKeyMultibase does not match the key")
        if (
            verification_method.startswith(DID_KEY_PREFIX)
            and did_key_public_multibase(verification_method) != public
        ):
            raise click.ClickException(
                f"{verification_method} is not the did:key of the key in {key_file}"
            )
    except MultikeyError as error:
        raise click.ClickException(f"{key_file}: {error}") from None
    return private_key


@vc.command()
@click.option("--key", "key_file", required=True, type=_FILE, help="JSON with privateKeyMultibase")
@click.option("--verification-method", required=True, help="verification method id of the key")
@click.option("--created", help="proof time, e.g. 2024-06-01T08:00:00Z (default: now)")
@click.option(
    "--cryptosuite",
    type=click.Choice([*CRYPTOSUITES, "both"]),
    default="both",
    show_default=True,
    help="the proof's cryptosuite; both gives a proof set of the two",
)
@_CONTEXT_OPTION
def sign(
    key_file: Path,
    verification_method: str,
    created: str | None,
    cryptosuite: str,
    contexts: dict[str, Any],
) -> None:
    """Sign the credential on stdin and print the secured credential.

    A credential that breaks a MUST of VC Data Model 2.0 is refused, each broken rule named;
    so is one eddsa-rdfc-2022 cannot canonicalise (an undefined term, an unpinned context)."""
    if created is not None:
        try:
            parse_date_time_stamp(created)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--created") from None
    private_key = _load_private_key(key_file, verification_method)
    with click.open_file("-", "rb") as stdin:
        document = _read_json(stdin.read(), "stdin")
    broken = violations(document)
    if broken:
        rules = "\n".join(f"  {violation}" for violation in broken)
        raise click.ClickException(f"not signed: the credential breaks VC Data Model 2.0:\n{rules}")
    suites = CRYPTOSUITES if cryptosuite == "both" else (cryptosuite,)
    try:
        signed = add_proofs(
            document,
            private_key,
            verification_method,
            created,
            cryptosuites=suites,
            document_loader=document_loader(None, contexts),
        )
    except (JSONValueError, ProofError, JsonLdRefused) as error:
        raise click.ClickException(f"cannot sign: {error}") from None
    click.echo(json.dumps(signed, ensure_ascii=False, indent=2))


def _resolvers(
    controllers: tuple[Path, ...], status_lists: tuple[Path, ...], offline: bool, timeout: float
) -> tuple[Any, Any]:
    """Resolvers from the files given (offline), or else over the network."""
    try:
        if offline or controllers or status_lists:
            return (
                controller_file_resolver(*controllers) if controllers else None,
                status_list_file_resolver(*status_lists) if status_lists else None,
            )
        return web_controller_resolver(timeout), web_status_list_resolver(timeout)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _print_report(report: VerificationReport) -> None:
    for check in report.checks:
        click.echo(f"{check.status:<8} {check.check}: {check.detail}")
        for proof in check.data.get("proofs", ()) if check.check == "signature" else ():
            reason = f": {proof['reason']}" if proof["reason"] else ""
            click.echo(f"  proof {proof['index']} {proof['cryptosuite']} {proof['status']}{reason}")
    if report.verified:
        click.echo("credential verified")
        return
    missing = [f"{c.check} {c.status}" for c in report.checks if c.status in ("failed", "unknown")]
    if missing:
        click.echo(f"not verified because of: {', '.join(missing)}")
    click.echo("credential NOT verified")


@vc.command()
@click.option("--controller", "controllers", multiple=True, type=_FILE, help="controller document")
@click.option("--status-list", "status_lists", multiple=True, type=_FILE, help="status list")
@click.option("--offline", is_flag=True, help="never use the network (implied by any file)")
@click.option("--timeout", default=10.0, show_default=True, help="seconds per online fetch")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.option(
    "--at",
    "moment",
    type=click.DateTime(formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"]),
    help="verify as of this moment, e.g. 2027-01-05T08:00:00+08:00 (no zone: UTC; default: now)",
)
@_CONTEXT_OPTION
@click.argument("credential_file", type=click.File("rb"))
def verify(
    controllers: tuple[Path, ...],
    status_lists: tuple[Path, ...],
    offline: bool,
    timeout: float,
    as_json: bool,
    moment: datetime | None,
    contexts: dict[str, Any],
    credential_file: BinaryIO,
) -> None:
    """Verify a credential file ('-' for stdin); exit 0 if valid, 1 if not.

    did:key methods resolve by themselves. Given --controller or --status-list files (each
    may be repeated) the check is offline and uses only those; otherwise did:web controllers
    and status lists are fetched online. What cannot be had (the issuer's controller document,
    a status list) makes its check "unknown" and the credential not verified. ``--at`` checks
    the validity dates and the key's window as of that moment instead of now (the status is
    what the list given says).
    """
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    controller_resolver, status_resolver = _resolvers(controllers, status_lists, offline, timeout)
    try:
        credential = parse_strict(credential_file.read())
    except JSONValueError as error:
        report = VerificationReport()
        report.add(Check("signature", "failed", f"the credential cannot be read: {error}"))
    else:
        report = verify_credential(
            credential,
            controller_resolver=controller_resolver,
            status_list_resolver=status_resolver,
            now=moment,
            document_loader=document_loader(None, contexts) if contexts else None,
        )
    if as_json:
        click.echo(report.to_json(indent=2))
    else:
        _print_report(report)
    raise SystemExit(0 if report.verified else 1)


@vc.command()
@click.option("--key", "key_file", required=True, type=_FILE, help="the holder's key (did:key)")
@click.option("--challenge", help="the verifier's challenge, signed into the proof")
@click.option("--domain", help="the verifier's domain, signed into the proof")
@click.argument("credential_files", nargs=-1, type=click.File("rb"))
def present(
    key_file: Path, challenge: str | None, domain: str | None, credential_files: tuple[BinaryIO]
) -> None:
    """Print a presentation of the credential files, signed by the holder's did:key."""
    private_key = _load_private_key(key_file, "")
    method = did_key_verification_method(public_multibase_of(private_key))
    credentials = [_read_json(file.read(), file.name) for file in credential_files]
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": method.partition("#")[0],
        "verifiableCredential": credentials,
    }
    signed = sign_presentation(
        presentation,
        private_key,
        method,
        challenge=challenge,
        domain=domain,
    )
    click.echo(json.dumps(signed, ensure_ascii=False, indent=2))


@vc.command("verify-presentation")
@click.option("--controller", "controllers", multiple=True, type=_FILE, help="controller document")
@click.option("--status-list", "status_lists", multiple=True, type=_FILE, help="status list")
@click.option("--offline", is_flag=True, help="never use the network (implied by any file)")
@click.option("--timeout", default=10.0, show_default=True, help="seconds per online fetch")
@click.option("--challenge", help="the challenge the proof must carry")
@click.option("--domain", help="the domain the proof must carry")
@click.argument("presentation_file", type=click.File("rb"))
def verify_presentation_command(
    controllers: tuple[Path, ...],
    status_lists: tuple[Path, ...],
    offline: bool,
    timeout: float,
    challenge: str | None,
    domain: str | None,
    presentation_file: BinaryIO,
) -> None:
    """Verify a presentation file and each credential in it; exit 0 if all verified, else 1.
    Prints the report as JSON (``POST /presentations/verify``'s shape)."""
    controller_resolver, status_resolver = _resolvers(controllers, status_lists, offline, timeout)
    presentation = _read_json(presentation_file.read(), "the presentation")

    def credential_report(credential: Any) -> VerificationReport:
        return verify_credential(
            credential,
            controller_resolver=controller_resolver,
            status_list_resolver=status_resolver,
        )

    report = verify_presentation(
        presentation,
        verify_credential=credential_report,
        controller_resolver=controller_resolver,
        challenge=challenge,
        domain=domain,
    )
    click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    raise SystemExit(0 if report.verified else 1)
