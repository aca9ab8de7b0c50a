"""Signatures that can be checked: `pip --sign` certifies the partner plan (PAdES, form filling
allowed), the partner fills it in and signs its acknowledgment as a reader saves it (an incremental
update), and `response import` verifies both; an altered file and a bad key are refused in one
line. The certificates are made here, self-signed."""

from __future__ import annotations

import datetime
import io
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from govdocs.cli import cli
from govdocs.signing import PASSPHRASE_ENV, verify
from tests.conftest import AS_OF, CONFIG, DATA, INPUTS, QUARTER
from tests.test_response import ANSWER

logging.getLogger("pyhanko").setLevel(logging.ERROR)


def make_key(name: str, path: Path, password: bytes = b"correct horse") -> Path:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    usage = x509.KeyUsage(True, True, False, False, False, True, False, False, False)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password)
    path.write_bytes(pkcs12.serialize_key_and_certificates(name.encode(), key, cert, None, encryption))
    return path


def fill_and_sign(source: Path, target: Path, values: dict[str, str], key: Path | None) -> Path:
    """As a PDF reader fills a certified form and signs it: field values only, saved incrementally."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(source.read_bytes()))
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if str(field.get("/T")) in values:
            field["/V"] = generic.pdf_string(values[str(field["/T"])])
            writer.update_container(field)
    buffer = io.BytesIO()
    writer.write(buffer)
    if key is not None:
        signer = signers.SimpleSigner.load_pkcs12(str(key), passphrase=b"correct horse")
        meta = signers.PdfSignatureMetadata(field_name="ack:signature", subfilter=fields.SigSeedSubFilter.PADES)
        buffer = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(buffer.getvalue())), meta, signer=signer)
    target.write_bytes(buffer.getvalue())
    return target


@pytest.fixture(scope="module")
def signed_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("signed")
    client = make_key("Tom Achterberg, Helios", folder / "client.p12")
    partner = make_key("Daniel Okafor, Bravo CX", folder / "partner.p12")
    args = ["pip", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS), "--partner", "BRV"]
    args += ["--actions", str(CONFIG.parent / "actions"), "--quarter", str(QUARTER), "--as-of", AS_OF.isoformat()]
    result = CliRunner(env={PASSPHRASE_ENV: "correct horse"}).invoke(
        cli, [*args, "--sign", str(client), "--out", str(folder / "out")]
    )
    assert result.exit_code == 0, result.output
    return folder / "out" / str(QUARTER) / "pip-BRV-partner.pdf", partner


def _import(pdf: Path, inputs: Path):
    return CliRunner().invoke(cli, ["response", "import", str(pdf), "--config", str(CONFIG), "--inputs", str(inputs)])


def test_the_issued_plan_is_certified_and_carries_a_signature_field(signed_plan) -> None:
    from pypdf import PdfReader

    plan, _ = signed_plan
    (check,) = verify(plan)
    assert check.certification and check.signer == "Tom Achterberg, Helios"
    assert PdfReader(plan).get_fields()["ack:signature"]["/FT"] == "/Sig"


def test_a_filled_and_signed_response_is_verified_and_imported(signed_plan, tmp_path: Path) -> None:
    plan, partner = signed_plan
    returned = fill_and_sign(plan, tmp_path / "returned.pdf", ANSWER, partner)
    result = _import(returned, tmp_path)
    assert result.exit_code == 0, result.output
    assert "returned.pdf: certified as issued by Tom Achterberg, Helios, intact" in result.output
    assert "returned.pdf: signed by Daniel Okafor, Bravo CX, intact" in result.output
    assert "the certificate is not checked against an authority: confirm whose it is" in result.output
    assert (tmp_path / "BRV.response.yaml").exists()


def test_an_altered_file_is_refused_in_one_line(signed_plan, tmp_path: Path) -> None:
    plan, partner = signed_plan
    data = bytearray(fill_and_sign(plan, tmp_path / "returned.pdf", ANSWER, partner).read_bytes())
    at = data.find(b"stream", 4000) + 30  # a byte of page content, inside what both signatures cover
    data[at] ^= 0x01
    (tmp_path / "altered.pdf").write_bytes(bytes(data))
    result = _import(tmp_path / "altered.pdf", tmp_path)
    assert result.exit_code == 5, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "the file was altered after" in lines[0] and "[response.altered]" in lines[0]
    assert not (tmp_path / "BRV.response.yaml").exists()


def test_a_changed_structure_tree_is_refused_though_filling_a_tagged_form_is_not(signed_plan, tmp_path: Path) -> None:
    """The plan is tagged (PDF/UA): filling its fields rewrites widgets the structure tree points
    to, which is allowed; rewriting what the structure tree says (a chart's alt text, read aloud
    to the partner) after the certification is not."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    plan, partner = signed_plan
    writer = IncrementalPdfFileWriter(io.BytesIO(plan.read_bytes()))
    figures, todo = [], [writer.root["/StructTreeRoot"]]
    while todo:
        node = todo.pop()
        if isinstance(node, generic.IndirectObject):
            node = node.get_object()
        if isinstance(node, generic.DictionaryObject):
            if node.get("/S") == "/Figure":
                figures.append(node)
            kids = node.get("/K")
            todo += list(kids) if isinstance(kids, generic.ArrayObject) else [kids] if kids is not None else []
    assert figures and all("/Alt" in f for f in figures)
    figures[0]["/Alt"] = generic.pdf_string("Service level met its target every month.")
    writer.update_container(figures[0])
    buffer = io.BytesIO()
    writer.write(buffer)
    (tmp_path / "retold.pdf").write_bytes(buffer.getvalue())
    result = _import(tmp_path / "retold.pdf", tmp_path)
    assert result.exit_code == 5, result.output
    assert "beyond filling in the form: refused [response.altered]" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_bad_key_or_passphrase_is_one_line(tmp_path: Path) -> None:
    key = make_key("Someone", tmp_path / "key.p12")
    args = ["pip", "--config", str(CONFIG), "--data", str(DATA), "--partner", "BRV", "--quarter", str(QUARTER)]
    result = CliRunner(env={PASSPHRASE_ENV: "wrong"}).invoke(cli, [*args, "--sign", str(key), "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"error: --sign: key.p12 cannot be opened: check the file and {PASSPHRASE_ENV} [usage.sign_key]"
    ]
    assert not list(tmp_path.rglob("*.pdf"))


def test_a_certified_review_is_filled_signed_and_imported(tmp_path: Path) -> None:
    """`qbr --sign`: the partner copy of the review is certified like a plan and its acknowledgment
    is a signature field; the internal copy of the same run is not signed."""
    from pypdf import PdfReader

    from tests.test_response import REVIEW_ANSWER

    client = make_key("Tom Achterberg, Helios", tmp_path / "client.p12")
    partner = make_key("Daniel Okafor, Bravo CX", tmp_path / "partner.p12")
    args = ["qbr", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS), "--partner", "BRV"]
    args += ["--quarter", str(QUARTER), "--as-of", AS_OF.isoformat(), "--sign", str(client), "--out", str(tmp_path)]
    runner = CliRunner(env={PASSPHRASE_ENV: "correct horse"})
    for audience in ("partner", "internal"):
        assert runner.invoke(cli, [*args, "--audience", audience]).exit_code == 0
    review = tmp_path / str(QUARTER) / "qbr-BRV-partner.pdf"
    (check,) = verify(review)
    assert check.certification and check.signer == "Tom Achterberg, Helios"
    assert PdfReader(review).get_fields()["ack:signature"]["/FT"] == "/Sig"
    assert verify(tmp_path / str(QUARTER) / "qbr-BRV-internal.pdf") == ()

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    returned = fill_and_sign(review, tmp_path / "returned.pdf", REVIEW_ANSWER, partner)
    result = _import(returned, inputs)
    assert result.exit_code == 0, result.output
    assert "returned.pdf: certified as issued by Tom Achterberg, Helios, intact" in result.output
    assert "returned.pdf: signed by Daniel Okafor, Bravo CX, intact" in result.output
    assert "review: 2026-Q3" in (inputs / "BRV.response.yaml").read_text(encoding="utf-8")
