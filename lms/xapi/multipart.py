"""Statements with attachments (multipart/mixed, xAPI 1.0.3 §2.4.11 and 2.0 §4.1.11), and signed statements (JWS).

A request's first part is the statements (application/json); each further part is one attachment's bytes, named by
its `X-Experience-API-Hash` header (SHA-256, hex). Every attachment a statement declares without a `fileUrl` must
arrive as a part, and every part must be declared. A signature attachment carries a JWS (RS256/384/512) whose
payload is the statement as it was before the signature was added.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from typing import Any

import msgspec

from lms.errors import Invalid
from lms.xapi.validation import SIGNATURE_USAGE

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_JWS_ALGORITHMS = frozenset({"RS256", "RS384", "RS512"})
_NOT_SIGNED = ("attachments", "authority", "stored", "version")


def _headers(block: bytes) -> dict[str, str]:
    headers = {}
    for line in block.decode("latin-1").split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers


def parse(body: bytes, content_type: str) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    """A multipart/mixed body -> (the statements JSON, {sha2: (content type, bytes)})."""
    match = _BOUNDARY.search(content_type)
    if not match:
        raise Invalid("a multipart/mixed request needs a boundary in its Content-Type", field="Content-Type")
    delimiter = b"--" + match.group(1).encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise Invalid("the multipart body is not complete (no closing boundary)", field="body")
    parts = []
    for chunk in chunks[1:-1]:
        chunk = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, content = (b"", chunk[2:]) if chunk.startswith(b"\r\n") else (head, b"")
        parts.append((_headers(head), content))
    if not parts:
        raise Invalid("the multipart body has no parts", field="body")
    first_headers, first = parts[0]
    if not first_headers.get("content-type", "").lower().startswith("application/json"):
        raise Invalid("the first part of a multipart request must be the statements as application/json", field="body")
    try:
        statements = msgspec.json.decode(first)
    except msgspec.DecodeError as exc:
        raise Invalid(f"the statements part is not valid JSON: {exc}", field="body") from None
    attachments: dict[str, tuple[str, bytes]] = {}
    for n, (headers, content) in enumerate(parts[1:], start=1):
        sha2 = headers.get("x-experience-api-hash")
        if not sha2:
            raise Invalid(f"part {n} has no X-Experience-API-Hash header", field="body")
        if headers.get("content-transfer-encoding", "binary").lower() != "binary":
            raise Invalid(f"part {n}: Content-Transfer-Encoding must be binary", field="body")
        if hashlib.sha256(content).hexdigest() != sha2.lower():
            raise Invalid(f"part {n}: its content does not match its X-Experience-API-Hash", field="body")
        attachments[sha2.lower()] = (headers.get("content-type", "application/octet-stream"), content)
    return statements, attachments


def match(statements: list[dict[str, Any]], parts: dict[str, tuple[str, bytes]]) -> None:
    """Every declared attachment without a fileUrl has its part, every part is declared, signatures are sound."""
    declared: set[str] = set()
    for i, statement in enumerate(statements):
        for j, attachment in enumerate(statement.get("attachments") or []):
            sha2 = attachment["sha2"].lower()
            declared.add(sha2)
            where = f"statements[{i}].attachments[{j}]"
            if sha2 not in parts:
                if "fileUrl" not in attachment:
                    raise Invalid(f"{where}: no part carries this attachment and it has no fileUrl", field=where)
                continue
            if attachment["usageType"] == SIGNATURE_USAGE:
                _check_signature(statement, attachment, parts[sha2][1], where)
    extra = set(parts) - declared
    if extra:
        raise Invalid(f"a part was sent that no statement declares as an attachment: {sorted(extra)[0]}", field="body")


def _b64(segment: str, where: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise Invalid(f"{where}: the signature is not a JWS (bad base64url)", field=where) from None


def _check_signature(statement: dict[str, Any], attachment: dict[str, Any], jws: bytes, where: str) -> None:
    if attachment["contentType"].split(";")[0].strip().lower() != "application/octet-stream":
        raise Invalid(f"{where}.contentType: a signature is application/octet-stream", field=f"{where}.contentType")
    segments = jws.decode("ascii", "replace").strip().split(".")
    if len(segments) != 3:
        raise Invalid(f"{where}: the signature is not a JWS in compact form", field=where)
    try:
        header = msgspec.json.decode(_b64(segments[0], where))
        payload = msgspec.json.decode(_b64(segments[1], where))
    except msgspec.DecodeError:
        raise Invalid(f"{where}: the signature's header or payload is not JSON", field=where) from None
    if not isinstance(header, dict) or header.get("alg") not in _JWS_ALGORITHMS:
        raise Invalid(f"{where}: a statement signature uses RS256, RS384 or RS512", field=where)
    if not isinstance(payload, dict):
        raise Invalid(f"{where}: the signature's payload is not a statement", field=where)
    signed, sent = _comparable(payload), _comparable(statement)
    for key in set(signed) | set(sent):
        if key in _NOT_SIGNED or (key == "id" and key not in signed):
            continue
        if signed.get(key) != sent.get(key):
            raise Invalid(f"{where}: the signed statement differs from the statement sent ({key})", field=where)


_FRACTION = re.compile(r"(\.\d{2})\d+S")


def _comparable(statement: dict[str, Any]) -> dict[str, Any]:
    """Durations are compared to the hundredth of a second (xAPI 2.0 §4.2.7)."""
    result = statement.get("result")
    if isinstance(result, dict) and isinstance(result.get("duration"), str):
        return {**statement, "result": {**result, "duration": _FRACTION.sub(r"\1S", result["duration"])}}
    return statement


def build(statements_json: bytes, attachments: list[Any]) -> tuple[bytes, str]:
    """A multipart/mixed answer: the statements, then each attachment's bytes -> (body, Content-Type)."""
    boundary = "xapi-" + secrets.token_hex(16)
    out = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), statements_json, b"\r\n"]
    for row in attachments:
        out += [
            f"--{boundary}\r\nContent-Type: {row['content_type']}\r\nContent-Transfer-Encoding: binary\r\n"
            f"X-Experience-API-Hash: {row['sha2']}\r\n\r\n".encode(),
            bytes(row["content"]),
            b"\r\n",
        ]
    out.append(f"--{boundary}--".encode())
    return b"".join(out), f"multipart/mixed; boundary={boundary}"
