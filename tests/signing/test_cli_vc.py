"""``craftledger vc sign`` and ``craftledger vc verify``."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from service.cli import main
from tests.signing.issuer import Issuer, achievement_credential

JCS = "eddsa-jcs-2022/"
RDFC = "eddsa-rdfc-2022/"
EXAMPLES_URL = "https://www.w3.org/ns/credentials/examples/v2"
VECTOR_METHOD = (
    "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
)


@pytest.fixture
def runner():
    return CliRunner()


VECTOR_ISSUER = "https://vc.example/issuers/5678"


@pytest.fixture
def vector_issuer(tmp_path):
    """A controller document in which the vectors' issuer lists the vectors' did:key."""
    path = tmp_path / "vector-issuer.json"
    path.write_text(json.dumps({"id": VECTOR_ISSUER, "assertionMethod": [VECTOR_METHOD]}))
    return path


def test_verify_accepts_the_specification_example_given_its_issuers_document(
    runner, vectors_dir, vector_issuer
):
    result = runner.invoke(
        main,
        [
            "vc",
            "verify",
            "--controller",
            str(vector_issuer),
            str(vectors_dir / JCS / "signedJCS.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("passed   signature: eddsa-jcs-2022 proof by did:key:z6Mkr")
    assert f"passed   issuer_binding: {VECTOR_ISSUER} lists" in result.output
    assert lines[-1] == "credential verified"


def test_an_issuer_that_cannot_be_bound_to_the_key_is_not_verified(runner, vectors_dir):
    """Signed with a did:key its issuer (a URL) does not control, no issuer document given:
    the signature is good but nothing binds the key to the issuer."""
    result = runner.invoke(
        main, ["vc", "verify", "--offline", str(vectors_dir / JCS / "signedJCS.json")]
    )
    assert result.exit_code == 1, result.output
    assert "passed   signature" in result.output
    assert f"unknown  issuer_binding: signed by {VECTOR_METHOD}, which {VECTOR_ISSUER}" in (
        result.output
    )
    assert "controller document is missing" in result.output
    assert result.output.splitlines()[-2:] == [
        "not verified because of: issuer_binding unknown",
        "credential NOT verified",
    ]


def test_verify_json_output(runner, vectors_dir, vector_issuer):
    result = runner.invoke(
        main,
        [
            "vc",
            "verify",
            "--json",
            "--controller",
            str(vector_issuer),
            str(vectors_dir / JCS / "signedJCS.json"),
        ],
    )
    report = json.loads(result.output)
    assert report["verified"] is True
    assert report["checks"][0]["check"] == "signature"


def test_verify_fails_a_tampered_credential(runner, vectors_dir, tmp_path):
    signed = json.loads((vectors_dir / JCS / "signedJCS.json").read_text())
    signed["credentialSubject"]["alumniOf"] = "The School of Forgery"
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(signed))
    result = runner.invoke(main, ["vc", "verify", str(path)])
    assert result.exit_code == 1
    assert "failed   signature: signature does not match" in result.output
    assert result.output.splitlines()[-1] == "credential NOT verified"


def test_verify_refuses_unreadable_json_with_exit_1(runner, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"proof": {}, "proof": {}}')
    result = runner.invoke(main, ["vc", "verify", str(path)])
    assert result.exit_code == 1
    assert 'duplicate key "proof"' in result.output


def test_sign_reproduces_the_specification_example(runner, vectors_dir, vector_json):
    result = runner.invoke(
        main,
        [
            "vc",
            "sign",
            "--key",
            str(vectors_dir / "keyPair.json"),
            "--verification-method",
            VECTOR_METHOD,
            "--created",
            "2023-02-24T23:36:38Z",
            "--cryptosuite",
            "eddsa-jcs-2022",
        ],
        input=(vectors_dir / "unsigned.json").read_bytes(),
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == vector_json(JCS + "signedJCS.json")


def examples_context(vectors_dir) -> str:
    """``--context`` pinning the W3C examples context the vectors name."""
    return f"{EXAMPLES_URL}={vectors_dir / 'examples-context-v2.jsonld'}"


def test_sign_rdfc_reproduces_the_specification_example(runner, vectors_dir, vector_json):
    result = runner.invoke(
        main,
        sign_args(
            vectors_dir,
            "--created",
            "2023-02-24T23:36:38Z",
            "--cryptosuite",
            "eddsa-rdfc-2022",
            "--context",
            examples_context(vectors_dir),
        ),
        input=(vectors_dir / "unsigned.json").read_bytes(),
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == vector_json(RDFC + "signedDataInt.json")


def test_sign_defaults_to_a_proof_set_of_both_suites_and_verify_lists_each(
    runner, vectors_dir, vector_json, vector_issuer, tmp_path
):
    result = runner.invoke(
        main,
        sign_args(
            vectors_dir,
            "--created",
            "2023-02-24T23:36:38Z",
            "--context",
            examples_context(vectors_dir),
        ),
        input=(vectors_dir / "unsigned.json").read_bytes(),
    )
    assert result.exit_code == 0, result.output
    signed = json.loads(result.output)
    # the two proofs are the specification's own, side by side and independent
    assert signed["proof"] == [
        vector_json(JCS + "signedJCS.json")["proof"],
        vector_json(RDFC + "signedDataInt.json")["proof"],
    ]
    path = tmp_path / "signed.json"
    path.write_text(result.output)
    verify = ["vc", "verify", "--controller", str(vector_issuer), str(path)]
    verified = runner.invoke(
        main, [*verify[:2], "--context", examples_context(vectors_dir), *verify[2:]]
    )
    assert verified.exit_code == 0, verified.output
    assert "  proof 0 eddsa-jcs-2022 verified" in verified.output
    assert "  proof 1 eddsa-rdfc-2022 verified" in verified.output
    # without the examples context the RDFC proof cannot be checked: not verified, and said why
    unpinned = runner.invoke(main, verify)
    assert unpinned.exit_code == 1
    assert "  proof 0 eddsa-jcs-2022 verified" in unpinned.output
    assert (
        f"  proof 1 eddsa-rdfc-2022 failed: cannot canonicalise: {EXAMPLES_URL} is not a pinned"
        in unpinned.output
    )


def test_sign_refuses_an_unpinned_context_for_rdfc_naming_it(runner, vectors_dir):
    result = runner.invoke(
        main, sign_args(vectors_dir), input=(vectors_dir / "unsigned.json").read_bytes()
    )
    assert result.exit_code == 1
    assert f"cannot sign: {EXAMPLES_URL} is not a pinned context" in result.output
    jcs_only = runner.invoke(
        main,
        sign_args(vectors_dir, "--cryptosuite", "eddsa-jcs-2022"),
        input=(vectors_dir / "unsigned.json").read_bytes(),
    )
    assert jcs_only.exit_code == 0, jcs_only.output
    assert json.loads(jcs_only.output)["proof"]["cryptosuite"] == "eddsa-jcs-2022"


def test_sign_refuses_an_undefined_term_for_rdfc(runner, vectors_dir):
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject", "nickname": "undefined here"},
    }
    result = runner.invoke(
        main,
        sign_args(vectors_dir, "--cryptosuite", "eddsa-rdfc-2022"),
        input=json.dumps(document),
    )
    assert result.exit_code == 1
    assert "cannot sign: " in result.output
    assert "nickname" in result.output or "drop a property" in result.output


def test_sign_refuses_an_unknown_cryptosuite(runner, vectors_dir):
    result = runner.invoke(
        main, sign_args(vectors_dir, "--cryptosuite", "ecdsa-rdfc-2019"), input="{}"
    )
    assert result.exit_code == 2
    assert "ecdsa-rdfc-2019" in result.output


def sign_args(vectors_dir, *extra):
    return [
        "vc",
        "sign",
        "--key",
        str(vectors_dir / "keyPair.json"),
        "--verification-method",
        VECTOR_METHOD,
        *extra,
    ]


@pytest.mark.parametrize(
    ("stdin", "words"),
    [
        ('{"result": {"value": 87.5}}', "$.result.value: number 87.5 is not an integer"),
        ('{"value": NaN}', "$.value: NaN is not valid JSON"),
        ('{"a": 1, "a": 2}', 'duplicate key "a"'),
        ('{"name": "\\udead"}', "lone surrogate U+DEAD"),
    ],
)
def test_sign_refuses_documents_that_are_not_strict_json(runner, vectors_dir, stdin, words):
    result = runner.invoke(main, sign_args(vectors_dir), input=stdin)
    assert result.exit_code == 1
    assert words in result.output


def test_sign_refuses_a_did_key_that_is_not_the_key(runner, tmp_path, vectors_dir):
    other = tmp_path / "other.json"
    other.write_text('{"privateKeyMultibase": "z3u2W4YnTstS1nSSBAgZcYSJF43JuZ9uLV6bF38B1Bf8NugW"}')
    result = runner.invoke(
        main,
        ["vc", "sign", "--key", str(other), "--verification-method", VECTOR_METHOD],
        input="{}",
    )
    assert result.exit_code == 1
    assert "is not the did:key of the key" in result.output


def test_sign_refuses_a_mismatched_public_key(runner, tmp_path):
    key_file = tmp_path / "key.json"
    key_file.write_text(
        json.dumps(
            {
                "privateKeyMultibase": "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
                "publicKeyMultibase": "z6MktgKTsu1QhX6QPbyqG6geXdw6FQCZBPq7uQpieWbiQiG7",
            }
        )
    )
    result = runner.invoke(
        main, ["vc", "sign", "--key", str(key_file), "--verification-method", "did:web:x#k"]
    )
    assert result.exit_code == 1
    assert "publicKeyMultibase does not match" in result.output


def test_sign_refuses_a_malformed_created(runner, vectors_dir):
    result = runner.invoke(main, sign_args(vectors_dir, "--created", "2024-01-01"), input="{}")
    assert result.exit_code == 2
    assert "time zone" in result.output


def test_offline_verification_with_controller_and_status_list_files(runner, tmp_path):
    issuer = Issuer()
    issuer.add_key("key-1", seed=1, validFrom="2024-01-01T00:00:00Z")
    credential = issuer.sign(achievement_credential(status_indexes={"revocation": 77}))
    files = {
        "credential.json": credential,
        "did.json": issuer.document,
        "revocation.json": issuer.status_list("revocation"),
        "revoked.json": issuer.status_list("revocation", set_bits={77}),
    }
    for name, document in files.items():
        (tmp_path / name).write_text(json.dumps(document, ensure_ascii=False))

    def verify(list_file):
        return runner.invoke(
            main,
            [
                "vc",
                "verify",
                "--controller",
                str(tmp_path / "did.json"),
                "--status-list",
                str(tmp_path / list_file),
                str(tmp_path / "credential.json"),
            ],
        )

    valid = verify("revocation.json")
    assert valid.exit_code == 0, valid.output
    assert "passed   status: revocation valid" in valid.output
    revoked = verify("revoked.json")
    assert revoked.exit_code == 1
    assert "failed   status: revocation revoked" in revoked.output


def test_verify_without_status_list_file_reports_unknown(runner, tmp_path):
    issuer = Issuer()
    issuer.add_key("key-1", seed=1)
    (tmp_path / "c.json").write_text(
        json.dumps(issuer.sign(achievement_credential(status_indexes={"revocation": 1})))
    )
    (tmp_path / "did.json").write_text(json.dumps(issuer.document))
    result = runner.invoke(
        main, ["vc", "verify", "--controller", str(tmp_path / "did.json"), str(tmp_path / "c.json")]
    )
    assert result.exit_code == 1
    assert "unknown  status:" in result.output


def test_the_installed_command_signs_and_verifies(vectors_dir, tmp_path, vector_issuer):
    command = shutil.which("craftledger")
    assert command, "the craftledger console script is not installed (pip install -e .)"
    signed = subprocess.run(
        [
            command,
            "vc",
            "sign",
            "--key",
            str(vectors_dir / "keyPair.json"),
            "--verification-method",
            VECTOR_METHOD,
            "--context",
            examples_context(vectors_dir),
        ],
        input=(vectors_dir / "unsigned.json").read_bytes(),
        capture_output=True,
        timeout=60,
        check=True,
    )
    (tmp_path / "signed.json").write_bytes(signed.stdout)
    pin = ["--context", examples_context(vectors_dir)]
    for path in (vectors_dir / JCS / "signedJCS.json", tmp_path / "signed.json"):
        verified = subprocess.run(
            [command, "vc", "verify", *pin, "--controller", str(vector_issuer), str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert verified.stdout.splitlines()[-1] == "credential verified"
    tampered = json.loads(signed.stdout)
    tampered["validFrom"] = "2020-01-01T00:00:00Z"
    failed = subprocess.run(
        [command, "vc", "verify", "--offline", "-"],
        input=json.dumps(tampered),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failed.returncode == 1


def test_present_signs_a_presentation_that_verify_presentation_accepts(runner, tmp_path):
    from service.signing.data_integrity import add_proof
    from service.signing.multikey import did_key_verification_method, generate_key_pair

    holder_private, holder_public = generate_key_pair()
    holder_key = tmp_path / "holder.json"
    holder_key.write_text(json.dumps({"privateKeyMultibase": holder_private}))
    holder = did_key_verification_method(holder_public).partition("#")[0]
    issuer_private, issuer_public = generate_key_pair()
    issuer_method = did_key_verification_method(issuer_public)
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": issuer_method.partition("#")[0],
        "credentialSubject": {"id": holder, "name": "焊工 四级"},
    }
    credential_file = tmp_path / "credential.json"
    credential_file.write_text(json.dumps(add_proof(credential, issuer_private, issuer_method)))
    presented = runner.invoke(
        main,
        ["vc", "present", "--key", str(holder_key), "--challenge", "n-1", str(credential_file)],
    )
    assert presented.exit_code == 0, presented.output
    presentation = json.loads(presented.output)
    assert presentation["holder"] == holder and presentation["proof"]["challenge"] == "n-1"
    path = tmp_path / "presentation.json"
    path.write_text(presented.output)
    verify = ["vc", "verify-presentation", "--offline", "--challenge"]
    good = runner.invoke(main, [*verify, "n-1", str(path)])
    assert good.exit_code == 0, good.output
    assert json.loads(good.output)["verified"] is True
    replayed = runner.invoke(main, [*verify, "n-2", str(path)])
    assert replayed.exit_code == 1
    assert {"check": "challenge", "status": "failed"}.items() <= next(
        c for c in json.loads(replayed.output)["checks"] if c["check"] == "challenge"
    ).items()


def test_verify_at_a_moment_checks_the_dates_as_of_then(runner, tmp_path):
    """``--at`` asks whether the credential verified at that moment: before its validFrom it
    did not; after, it did (an auditor's question, and a journey on a moved clock)."""
    issuer = Issuer()
    issuer.add_key("key-1", seed=1, validFrom="2024-01-01T00:00:00Z")
    credential = issuer.sign(achievement_credential(status_indexes={"revocation": 5}))
    (tmp_path / "c.json").write_text(json.dumps(credential, ensure_ascii=False))
    (tmp_path / "did.json").write_text(json.dumps(issuer.document))
    (tmp_path / "list.json").write_text(json.dumps(issuer.status_list("revocation")))

    def verify_at(*at):
        args = ["vc", "verify", "--controller", str(tmp_path / "did.json")]
        args += ["--status-list", str(tmp_path / "list.json"), *at, str(tmp_path / "c.json")]
        return runner.invoke(main, args)

    before = verify_at("--at", "2024-05-31T23:00:00+08:00")  # before the proof was made
    assert before.exit_code == 1 and "in the future (now is 2024-05-31T15:00:00Z" in before.output
    after = verify_at("--at", "2024-06-02T08:00:00")
    assert after.exit_code == 0, after.output
    assert verify_at("--at", "yesterday").exit_code == 2  # click refuses what is not a moment
