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
    (check,) = verify(plan).checks
    assert check.certification and check.signer == "Tom Achterberg, Helios"
    assert PdfReader(plan).get_fields()["ack:signature"]["/FT"] == "/Sig"


def test_a_filled_and_signed_response_is_verified_and_imported(signed_plan, tmp_path: Path) -> None:
    plan, partner = signed_plan
    returned = fill_and_sign(plan, tmp_path / "returned.pdf", ANSWER, partner)
    result = _import(returned, tmp_path)
    assert result.exit_code == 0, result.output
    assert "returned.pdf: certified as issued by Tom Achterberg, Helios (SHA-256 " in result.output
    assert "returned.pdf: signed by Daniel Okafor, Bravo CX (SHA-256 " in result.output
    assert "not checked: no signing.trusted list in the config; confirm whose certificate it is" in result.output
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
    (check,) = verify(review).checks
    assert check.certification and check.signer == "Tom Achterberg, Helios"
    assert PdfReader(review).get_fields()["ack:signature"]["/FT"] == "/Sig"
    assert verify(tmp_path / str(QUARTER) / "qbr-BRV-internal.pdf").checks == ()

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    returned = fill_and_sign(review, tmp_path / "returned.pdf", REVIEW_ANSWER, partner)
    result = _import(returned, inputs)
    assert result.exit_code == 0, result.output
    assert "returned.pdf: certified as issued by Tom Achterberg, Helios (SHA-256 " in result.output
    assert "returned.pdf: signed by Daniel Okafor, Bravo CX (SHA-256 " in result.output
    assert "review: 2026-Q3" in (inputs / "BRV.response.yaml").read_text(encoding="utf-8")


# --- signatures that mean what they say (issue 33) ----------------------------------------------


def incremental(source: Path, target: Path, values: dict[str, str] | None = None, info: dict[str, str] | None = None):
    """An incremental update as any PDF tool appends one: field values and/or document
    metadata rewritten, nothing signed."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(source.read_bytes()))
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if str(field.get("/T")) in (values or {}):
            field["/V"] = generic.pdf_string(values[str(field["/T"])])
            writer.update_container(field)
    if info:
        meta = writer.trailer["/Info"].get_object()
        for key, value in info.items():
            meta[generic.NameObject(key)] = generic.pdf_string(value)
        writer.update_container(meta)
    buffer = io.BytesIO()
    writer.write(buffer)
    target.write_bytes(buffer.getvalue())
    return target


def trusting_config(folder: Path, *certificates: Path) -> Path:
    """The example config with a signing.trusted list of the given PKCS#12 files' certificates."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    names = []
    for i, key in enumerate(certificates):
        _, cert, _ = pkcs12.load_key_and_certificates(key.read_bytes(), b"correct horse")
        (folder / f"trusted-{i}.pem").write_bytes(cert.public_bytes(Encoding.PEM))
        names.append(f"trusted-{i}.pem")
    config = folder / "governance.yaml"
    config.write_text(CONFIG.read_text(encoding="utf-8") + f"signing:\n  trusted: [{', '.join(names)}]\n")
    return config


def _import_with(pdf: Path, inputs: Path, config: Path):
    args = ["response", "import", str(pdf), "--config", str(config), "--inputs", str(inputs)]
    return CliRunner().invoke(cli, args)


def _one_refusal(result, *fragments: str) -> None:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 5, result.output
    assert len(lines) == 1, result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_a_form_changed_after_the_partners_signature_is_refused(signed_plan, tmp_path: Path) -> None:
    """The partner signed; then an incremental update renames the acknowledging person and
    rewrites the dispute. Only form filling, which the certification allows: but not after the
    partner's own signature."""
    plan, partner = signed_plan
    signed = fill_and_sign(plan, tmp_path / "signed.pdf", ANSWER, partner)
    changed = incremental(
        signed, tmp_path / "changed.pdf", {"ack:name": "Someone Else", "dispute1:issue": "Every month is wrong"}
    )
    result = _import(changed, tmp_path)
    _one_refusal(
        result,
        "fields ack:name, dispute1:issue were changed after Daniel Okafor, Bravo CX signed",
        "[response.altered]",
    )
    assert not (tmp_path / "BRV.response.yaml").exists()


def test_page_content_changed_after_a_signature_on_an_uncertified_plan_is_refused(tmp_path: Path) -> None:
    """No certification to limit what may change: the partner's signature alone must still hold
    the page it signed."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    partner = make_key("Daniel Okafor, Bravo CX", tmp_path / "partner.p12")
    args = ["pip", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS), "--partner", "BRV"]
    args += ["--quarter", str(QUARTER), "--as-of", AS_OF.isoformat(), "--jobs", "0", "--out", str(tmp_path / "out")]
    assert CliRunner().invoke(cli, args).exit_code == 0
    plan = tmp_path / "out" / str(QUARTER) / "pip-BRV-partner.pdf"
    # an uncertified plan has no signature field: the partner's tool adds one as it signs
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load_pkcs12(str(partner), passphrase=b"correct horse")
    filled = fill_and_sign(plan, tmp_path / "filled.pdf", ANSWER, None)
    meta = signers.PdfSignatureMetadata(field_name="partner", subfilter=fields.SigSeedSubFilter.PADES)
    signed = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(filled.read_bytes())), meta, signer=signer)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.getvalue()))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 72 Td (Targets waived) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    (tmp_path / "changed.pdf").write_bytes(buffer.getvalue())
    assert verify(tmp_path / "filled.pdf").checks == ()
    result = _import(tmp_path / "changed.pdf", tmp_path)
    _one_refusal(result, "the file was changed after Daniel Okafor, Bravo CX signed", "[response.altered]")


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda doc, keywords: (
            {"govdocs:plan": "2026-10-16/2099-12-31"},
            {"/Keywords": keywords.replace("plan 2026-10-16/2027-03-05", "plan 2026-10-16/2099-12-31")},
        ),
        lambda doc, keywords: (  # another partner's answer: id, partner and metadata all rewritten
            {"govdocs:document": doc.replace("-BRV-", "-CRN-"), "govdocs:partner": "CRN"},
            {"/Keywords": keywords.replace("-BRV-", "-CRN-")},
        ),
    ],
    ids=["plan dates", "partner"],
)
def test_the_identity_is_read_from_what_the_certification_covers(signed_plan, tmp_path: Path, rewrite) -> None:
    """Form filling may change any field and the metadata: the document's identity (its id,
    partner, inputs hash and plan dates) is the one certified, and a change to it is refused."""
    from pypdf import PdfReader

    plan, _ = signed_plan
    keywords = PdfReader(plan).metadata["/Keywords"]
    assert "plan 2026-10-16/2027-03-05" in keywords
    values, info = rewrite(keywords.split(",")[0], keywords)
    changed = incremental(fill(plan, tmp_path / "filled.pdf", ANSWER), tmp_path / "changed.pdf", values, info)
    result = _import(changed, tmp_path)
    _one_refusal(result, "was changed after the document was certified", "[response.changed_document]")
    assert not list(tmp_path.glob("*.response.yaml"))


def fill(source: Path, target: Path, values: dict[str, str]) -> Path:
    return fill_and_sign(source, target, values, None)


def test_the_certifier_is_checked_against_the_trust_list(signed_plan, tmp_path: Path) -> None:
    """A key anyone can make, named like the client's certifier, prints differently (the
    fingerprint) and, with a trust list in the config, is refused in one line."""
    plan, partner = signed_plan
    client = plan.parents[2] / "client.p12"
    config = trusting_config(tmp_path, client)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    genuine = _import_with(fill_and_sign(plan, tmp_path / "returned.pdf", ANSWER, partner), inputs, config)
    assert genuine.exit_code == 0, genuine.output
    assert "certified as issued by Tom Achterberg, Helios (SHA-256 " in genuine.output
    assert "intact (a certificate of the programme's trust list)" in genuine.output

    forger = make_key("Tom Achterberg, Helios", tmp_path / "forger.p12")
    args = ["pip", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS), "--partner", "BRV"]
    args += ["--actions", str(CONFIG.parent / "actions"), "--quarter", str(QUARTER), "--as-of", AS_OF.isoformat()]
    made = CliRunner(env={PASSPHRASE_ENV: "correct horse"}).invoke(
        cli, [*args, "--jobs", "0", "--sign", str(forger), "--out", str(tmp_path / "forged")]
    )
    assert made.exit_code == 0, made.output
    forged = tmp_path / "forged" / str(QUARTER) / "pip-BRV-partner.pdf"
    genuine_print = verify(plan).checks[0].fingerprint
    forged_print = verify(forged).checks[0].fingerprint
    assert genuine_print != forged_print
    result = _import_with(fill(forged, tmp_path / "forged.pdf", ANSWER), tmp_path / "inputs", config)
    _one_refusal(
        result, f"certified by Tom Achterberg, Helios (SHA-256 {forged_print})", "does not chain", "[response.altered]"
    )


def test_a_certified_plan_returned_without_its_certification_is_refused(signed_plan, tmp_path: Path) -> None:
    """Stripped of its certification the plan could say anything: refused when the copy shows it
    was certified, and always when the programme has a trust list."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    plan, _ = signed_plan
    writer = PdfWriter(clone_from=PdfReader(plan))
    for field in writer.root_object["/AcroForm"]["/Fields"]:
        field = field.get_object()
        if field.get("/T") == "govdocs:issuer" and "/V" in field:
            del field[NameObject("/V")]
    del writer.root_object[NameObject("/Perms")]
    stripped = tmp_path / "stripped.pdf"
    writer.write(stripped)
    fill(stripped, tmp_path / "returned.pdf", ANSWER)
    assert verify(tmp_path / "returned.pdf").checks == ()
    _one_refusal(_import(tmp_path / "returned.pdf", tmp_path), "certification is missing", "[response.not_certified]")

    # an issued copy that never had a certification: refused where the programme certifies
    unsigned = tmp_path / "unsigned"
    args = ["pip", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS), "--partner", "BRV"]
    args += ["--quarter", str(QUARTER), "--as-of", AS_OF.isoformat(), "--jobs", "0", "--out", str(unsigned)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    returned = fill(unsigned / str(QUARTER) / "pip-BRV-partner.pdf", tmp_path / "uncertified.pdf", ANSWER)
    config = trusting_config(tmp_path, plan.parents[2] / "client.p12")
    _one_refusal(_import_with(returned, tmp_path, config), "is not certified", "[response.altered]")
    assert not (tmp_path / "BRV.response.yaml").exists()


def test_a_signed_import_reads_each_object_stream_once(signed_plan, tmp_path: Path, monkeypatch) -> None:
    """A signed import took 29-45 s: pyHanko parsed an object stream's whole index again for
    every object the diff policy read from it (1.5 million numbers for one plan). Counted, not
    timed: the numbers read while verifying a certified, filled and signed plan."""
    from pyhanko.pdf_utils import generic

    plan, partner = signed_plan
    returned = fill_and_sign(plan, tmp_path / "returned.pdf", ANSWER, partner)
    read = [0]
    real = generic.NumberObject.read_from_stream

    def counting(stream):
        read[0] += 1
        return real(stream)

    monkeypatch.setattr(generic.NumberObject, "read_from_stream", staticmethod(counting))
    assert len(verify(returned).checks) == 2
    assert read[0] < 100_000, read[0]


def test_a_deprecation_warning_of_the_signing_libraries_is_not_printed_before_an_error() -> None:
    """Under a newer cryptography than the lock's (a plain `pip install .`), a
    CryptographyDeprecationWarning preceded govdocs' error lines; it is pyHanko's to act on."""
    import subprocess
    import sys

    code = (
        "import warnings\n"
        "from govdocs.signing import _quiet\n"
        "_quiet()\n"
        "from cryptography.utils import CryptographyDeprecationWarning\n"
        "warnings.warn('an API pyHanko calls is deprecated', CryptographyDeprecationWarning)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == "", result.stderr
