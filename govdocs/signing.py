"""Signatures that can be checked (pyHanko, PAdES).

`--sign KEY.p12` certifies each partner plan as issued: a certification signature whose DocMDP
permission lets the partner fill the form and sign, and nothing else, plus an empty signature
field for the partner's acknowledgment. `response import` verifies every signature a returned
file carries: each must be intact, and after a certification only form filling and signing may
have happened; anything else is refused in one line. Nothing is fetched from the network (no
OCSP or CRL lookups) and no trust list is consulted: the import says who signed, from the
certificate, and the reader confirms whose certificate it is.
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from govdocs import extras
from govdocs.errors import ExitCode, GovdocsError, Location, Problem

PASSPHRASE_ENV = "GOVDOCS_SIGN_PASSPHRASE"
ISSUER_FIELD = "govdocs:issuer"
PARTNER_FIELD = "ack:signature"
POINTS_PER_MM = 72 / 25.4


def _quiet() -> None:
    # pyHanko logs its own path-validation attempts (a self-signed key is one) as warnings
    # (and a key it cannot open, with a traceback): govdocs reports each in one line of its own
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    # A newer cryptography than the lock's (a plain `pip install .`) warns about APIs pyHanko
    # still calls: that warning is for pyHanko's authors, and printed before govdocs' own error
    # line it reads as part of the answer. Ignored here, where the signing libraries are loaded.
    import warnings

    warnings.filterwarnings("ignore", module=r"(pyhanko|pyhanko_certvalidator|asn1crypto|cryptography)(\.|$)")
    try:
        from cryptography.utils import CryptographyDeprecationWarning
    except ImportError:  # pragma: no cover - cryptography is a dependency of pyHanko
        return
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)


def load_signer(path: Path):
    """The signing key and certificate of a PKCS#12 file; its passphrase from GOVDOCS_SIGN_PASSPHRASE."""
    extras.require("sign", "signing", "--sign")
    _quiet()
    from pyhanko.sign import signers

    passphrase = os.environ.get(PASSPHRASE_ENV)
    problem = None
    if not path.is_file():
        problem = f"{path} is not a file"
    else:
        try:
            signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=passphrase.encode() if passphrase else None)
        except Exception as exc:  # cryptography raises ValueError/TypeError for a wrong passphrase or format
            signer, problem = (
                None,
                f"{path.name} cannot be opened ({type(exc).__name__}): check the file and {PASSPHRASE_ENV}",
            )
        if signer is None and problem is None:
            problem = f"{path.name} cannot be opened: check the file and {PASSPHRASE_ENV}"
    if problem is not None:
        raise GovdocsError([Problem("usage.sign_key", problem, Location("--sign"), ExitCode.USAGE)])
    return signer


def _acknowledgment_box(pdf: bytes) -> tuple[int, tuple[float, float, float, float]] | None:
    """The page and box of the partner's signature: the reserved space under the acknowledgment row."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    for number, page in enumerate(reader.pages):
        rects = {}
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/T") in ("ack:name", "ack:date"):
                rects[widget["/T"]] = [float(v) for v in widget["/Rect"]]
        if len(rects) == 2:
            name, day = rects["ack:name"], rects["ack:date"]
            top = min(name[1], name[3]) - 5 * POINTS_PER_MM
            return number, (name[0], top - 10 * POINTS_PER_MM, day[2], top)
    return None


def certify(pdf: bytes, signer) -> bytes:
    """The plan certified as issued, with an empty signature field for the partner."""
    _quiet()
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    if (box := _acknowledgment_box(pdf)) is not None:
        page, rect = box
        fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=PARTNER_FIELD, on_page=page, box=rect))
    meta = signers.PdfSignatureMetadata(
        field_name=ISSUER_FIELD,
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Issued by govdocs: the partner may fill in the form and sign",
    )
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    field: str
    signer: str  # the certificate's common name
    fingerprint: str  # SHA-256 of the certificate, as `openssl x509 -fingerprint -sha256` prints it
    certification: bool
    trusted: bool  # the certificate chains to the programme's trust list (signing.trusted)

    @property
    def line(self) -> str:
        role = "certified as issued" if self.certification else "signed"
        if self.trusted:
            anchor = "a certificate of the programme's trust list"
        elif self.certification:
            anchor = "not checked: no signing.trusted list in the config; confirm whose certificate it is"
        else:
            anchor = "the partner's certificate: confirm whose it is"
        return f"{role} by {shown(self.signer, 80)} (SHA-256 {self.fingerprint}), intact ({anchor})"


@dataclass(frozen=True)
class Verification:
    """What the signatures of a returned file establish."""

    checks: tuple[SignatureCheck, ...]
    certified: bytes | None  # the revision the certification covers, as a complete PDF (None: not certified)


def fingerprint(der: bytes) -> str:
    import hashlib

    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def shown(text: str, limit: int) -> str:
    """A name from a certificate, safe to print: control characters escaped, cut to `limit`."""
    from govdocs.errors import terminal_safe

    return terminal_safe(text, limit)


def _diff_policy():
    """pyHanko's standard policy, plus one rule for tagged forms. In a tagged PDF (PDF/UA) each
    form widget is also reached from the structure tree (an OBJR's /Obj). Filling a field rewrites
    its widget; the standard rules vet that change through the form (value and appearance only) but
    do not clear the structure tree's path to the same object, and so call any filling of a tagged
    form unexplained. The rule below clears exactly those paths, for widgets only: the structure
    element itself may not change (it would be a new object no rule explains)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel, StandardDiffPolicy
    from pyhanko.sign.diff_analysis.rules_api import Context, QualifiedWhitelistRule, ReferenceUpdate

    class TaggedWidgetPaths(QualifiedWhitelistRule):
        def apply_qualified(self, old, new):
            usages_of = getattr(old, "_get_usages_of_ref", None)  # loaded by the policy before the rules run
            if usages_of is None:
                return
            for ref in new.explicit_refs_in_revision():
                try:
                    before = old(ref)
                except Exception:  # a new object: nothing to clear
                    continue
                if not isinstance(before, generic.DictionaryObject) or before.get("/Subtype") != "/Widget":
                    continue
                for path in usages_of(ref):
                    if str(path).startswith(".Root.StructTreeRoot") and str(path).endswith(".Obj"):
                        yield ModificationLevel.FORM_FILLING, ReferenceUpdate(ref, Context.from_absolute(old, path))

    return StandardDiffPolicy(
        global_rules=[*DEFAULT_DIFF_POLICY.global_rules, TaggedWidgetPaths()],
        form_rule=DEFAULT_DIFF_POLICY.form_rule,
    )


def _indexed_reader():
    """pyHanko's reader, with each object stream's index parsed once. The stock reader parses a
    stream's whole index again for every object it takes from it: the diff policy reads every
    object of a tagged plan (about 1,200 in object streams of 200), and a signed import took
    10-45 s; with the index kept, well under a second for the same reads."""
    from pyhanko.pdf_utils import generic, misc
    from pyhanko.pdf_utils.decode_limits import DecodePurpose
    from pyhanko.pdf_utils.reader import PdfFileReader

    class IndexedReader(PdfFileReader):
        def _object_stream_index(self, stmnum: int) -> tuple[bytes, int, dict[int, int]] | None:
            cache = self.__dict__.setdefault("_govdocs_objstm", {})
            if stmnum not in cache:
                cache[stmnum] = None
                stream = generic.Reference(stmnum, 0, self).get_object()
                if isinstance(stream, generic.StreamObject) and stream.get("/Type") == "/ObjStm":
                    data = stream.read_data(DecodePurpose.OBJECT_STREAM)
                    handle, offsets = io.BytesIO(data), {}
                    try:
                        for _ in range(int(stream["/N"])):
                            misc.read_non_whitespace(handle, seek_back=True)
                            number = generic.NumberObject.read_from_stream(handle)
                            misc.read_non_whitespace(handle, seek_back=True)
                            offsets.setdefault(int(number), int(generic.NumberObject.read_from_stream(handle)))
                    except ValueError:
                        offsets = {}
                    cache[stmnum] = (data, int(stream["/First"]), offsets)
            return cache[stmnum]

        def _get_object_from_stream(self, idnum, stmnum, idx):
            index = self._object_stream_index(stmnum)
            if index is None or idnum not in index[2]:
                return super()._get_object_from_stream(idnum, stmnum, idx)  # its own refusal or null
            data, first, offsets = index
            handle = io.BytesIO(data)
            handle.seek(first + offsets[idnum])
            try:
                found = generic.read_object(handle, generic.Reference(idnum, 0, self))
            except (misc.PdfStreamError, misc.PdfReadError):
                return super()._get_object_from_stream(idnum, stmnum, idx)
            if isinstance(found, generic.StreamObject | generic.IndirectObject):
                return super()._get_object_from_stream(idnum, stmnum, idx)
            return found

    return IndexedReader


def load_trusted(paths: tuple[Path, ...]) -> list:
    """The certificates of the programme's trust list (already checked when the config loaded)."""
    if not paths:
        return []
    extras.require("sign", "checking signatures against the trust list (signing.trusted)", "signing.trusted")
    from asn1crypto import pem, x509

    certificates = []
    for path in paths:
        raw = path.read_bytes()
        if pem.detect(raw):
            certificates += [x509.Certificate.load(der) for _, _, der in pem.unarmor(raw, multiple=True)]
        else:
            certificates.append(x509.Certificate.load(raw))
    return certificates


def _signature_fields(pdf: bytes) -> bool:
    """Whether a PDF has any signature field, signed or not (read with pypdf, of the core); a file
    pypdf cannot read counts as having one, so that only the signature check can pass it."""
    from pypdf import PdfReader

    try:
        fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}
        return any(field.get("/FT") == "/Sig" for field in fields.values())
    except Exception:  # pypdf on a hostile file: KeyError, TypeError, ...
        return True


def verify(path: Path, trusted: list | None = None, pdf: bytes | None = None) -> Verification:
    """Every signature of a returned file, or one line saying which one does not hold.

    Each signature is checked for what changed after it: after the certification only form
    filling and signing; after any other signature nothing but later signatures. With a trust
    list (`trusted`), the file must be certified by a certificate that chains to it.

    Without the sign extra, a file with no signature field (a plan issued without --sign) has
    nothing to verify; one with a signature field needs the extra, and is refused without it."""
    data = path.read_bytes() if pdf is None else pdf
    if not extras.installed("sign"):
        if trusted or _signature_fields(data):
            extras.require("sign", "checking a returned file's signatures", path.name)
        return Verification((), None)
    _quiet()
    from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    def refuse(message: str) -> GovdocsError:
        return GovdocsError([Problem("response.altered", message, Location(path.name), ExitCode.INPUTS)])

    try:
        reader = _indexed_reader()(io.BytesIO(data), strict=False)
    except Exception as exc:  # not a PDF pyHanko can open: said as such, not as a signature problem
        message = f"not a PDF govdocs can read ({type(exc).__name__})"
        raise GovdocsError([Problem("response.unreadable", message, Location(path.name), ExitCode.INPUTS)]) from None
    try:
        if getattr(reader, "encrypted", False):
            reader.decrypt("")  # an owner password only: it opens without a prompt, as in any reader
        signatures = sorted(reader.embedded_signatures, key=lambda s: s.signed_revision)
    except Exception as exc:  # a damaged file
        raise refuse(f"its signatures cannot be read ({type(exc).__name__})") from None
    checks, certified, policy = [], None, _diff_policy()
    context = ValidationContext(trust_roots=list(trusted or []), allow_fetching=False)
    for number, signature in enumerate(signatures):
        try:
            status = validate_pdf_signature(signature, context, diff_policy=policy)
            name = status.signing_cert.subject.native.get("common_name", status.signing_cert.subject.human_friendly)
            print_ = fingerprint(status.signing_cert.dump())
        except Exception as exc:
            raise refuse(
                f"signature {shown(str(signature.field_name), 80)} cannot be checked ({type(exc).__name__})"
            ) from None
        who, field = shown(str(name), 80), shown(str(signature.field_name), 80)
        if not status.intact or not status.valid:
            raise refuse(f"the file was altered after {who} signed it (signature {field}): refused")
        level = status.modification_level
        certification = signature.docmdp_level is not None
        if certification:
            if certified is not None:
                raise refuse(f"signature {field} certifies the file a second time: refused")
            if not status.docmdp_ok or level not in (ModificationLevel.NONE, ModificationLevel.FORM_FILLING):
                raise refuse(f"the file was changed after {who} certified it, beyond filling in the form: refused")
            if trusted and not status.trusted:
                raise refuse(
                    f"certified by {who} (SHA-256 {print_}), a certificate that does not chain to the programme's "
                    "trust list (signing.trusted): refused"
                )
            _, _, start, length = (int(v) for v in signature.byte_range)
            certified = data[: start + length]
        elif level not in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES):
            later = {str(s.field_name) for s in signatures[number + 1 :]}
            changed = (
                set(status.diff_result.changed_form_fields) if isinstance(status.diff_result, DiffResult) else None
            )
            if level != ModificationLevel.FORM_FILLING or changed is None or not changed <= later:
                what = (
                    f"fields {', '.join(shown(f, 60) for f in sorted(changed - later)[:5])} were"
                    if changed and changed - later
                    else "the file was"
                )
                raise refuse(f"{what} changed after {who} signed (signature {field}): refused")
        checks.append(SignatureCheck(str(signature.field_name), str(name), print_, certification, bool(status.trusted)))
    if trusted and certified is None:
        raise refuse(
            "is not certified, but the programme certifies what it issues (signing.trusted): "
            "a copy without its certification is refused; ask the partner to answer in the copy as issued"
        )
    return Verification(tuple(checks), certified)
