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


def load_signer(path: Path):
    """The signing key and certificate of a PKCS#12 file; its passphrase from GOVDOCS_SIGN_PASSPHRASE."""
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
    certification: bool

    @property
    def line(self) -> str:
        role = "certified as issued" if self.certification else "signed"
        unchecked = "the certificate is not checked against an authority: confirm whose it is"
        return f"{role} by {self.signer}, intact ({unchecked})"


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


def verify(path: Path) -> tuple[SignatureCheck, ...]:
    """Every signature of a returned file, or one line saying which one does not hold."""
    _quiet()
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    def refuse(message: str) -> GovdocsError:
        return GovdocsError([Problem("response.altered", message, Location(path.name), ExitCode.INPUTS)])

    with path.open("rb") as handle:
        try:
            reader = PdfFileReader(handle, strict=False)
            signatures = list(reader.embedded_signatures)
        except Exception as exc:  # a damaged file
            raise refuse(f"its signatures cannot be read ({type(exc).__name__})") from None
        checks, policy = [], _diff_policy()
        for signature in signatures:
            try:
                context = ValidationContext(trust_roots=[], allow_fetching=False)
                status = validate_pdf_signature(signature, context, diff_policy=policy)
            except Exception as exc:
                raise refuse(f"signature {signature.field_name} cannot be checked ({type(exc).__name__})") from None
            name = status.signing_cert.subject.native.get("common_name", status.signing_cert.subject.human_friendly)
            if not status.intact or not status.valid:
                raise refuse(f"the file was altered after {name} signed it (signature {signature.field_name}): refused")
            certification = signature.field_name == ISSUER_FIELD
            level = status.modification_level
            if certification and (
                not status.docmdp_ok or level not in (ModificationLevel.NONE, ModificationLevel.FORM_FILLING)
            ):
                raise refuse(f"the file was changed after {name} certified it, beyond filling in the form: refused")
            checks.append(SignatureCheck(signature.field_name, str(name), certification))
    return tuple(checks)
