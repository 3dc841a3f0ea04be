#!/usr/bin/env python3
"""Restore an lms backup made by backup.py into an EMPTY database and bucket (a fresh server; never over live data).

    LMS_DATABASE_URL=postgresql://.../lms_restored LMS_S3_ENDPOINT_URL=... LMS_S3_ACCESS_KEY_ID=... \
    LMS_S3_SECRET_ACCESS_KEY=... LMS_S3_BUCKET=lms-media python infra/backup/restore.py --from /backups/lms-2025-01-31

Checks every file against the manifest's SHA-256 first, restores the database with pg_restore (single transaction:
all or nothing), then uploads every object with its content type, and checks the bucket's count and sizes at the end.
Start the service with the same LMS_SECRET_KEY as before. See infra/backup/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backup import pg_tool, s3_client, sha256  # noqa: E402


def restore(source: Path, environ: dict[str, str]) -> dict:
    database_url = environ.get("LMS_DATABASE_URL") or sys.exit("error: LMS_DATABASE_URL is required")
    bucket = environ.get("LMS_S3_BUCKET", "lms-media")
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    dump = source / manifest["database"]["file"]
    if sha256(dump) != manifest["database"]["sha256"]:
        sys.exit(f"error: {dump} does not match the manifest: the backup is damaged")
    for item in manifest["objects"]:
        if sha256(source / "media" / item["key"]) != item["sha256"]:
            sys.exit(f"error: media/{item['key']} does not match the manifest: the backup is damaged")

    subprocess.run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={database_url}",
            str(dump),
        ],
        check=True,
    )
    s3 = s3_client(environ)
    try:
        s3.head_bucket(Bucket=bucket)
    except Exception:
        s3.create_bucket(Bucket=bucket)
    for item in manifest["objects"]:
        s3.upload_file(
            str(source / "media" / item["key"]), bucket, item["key"], ExtraArgs={"ContentType": item["content_type"]}
        )
    stored = {
        o["Key"]: o["Size"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for o in page.get("Contents", [])
    }
    missing = [i["key"] for i in manifest["objects"] if stored.get(i["key"]) != i["bytes"]]
    if missing:
        sys.exit(f"error: {len(missing)} objects did not arrive whole, e.g. {missing[0]}")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="source", required=True, type=Path, help="a directory written by backup.py")
    args = parser.parse_args()
    manifest = restore(args.source, dict(os.environ))
    print(f"Restored the database and {len(manifest['objects'])} media objects from {args.source}")


if __name__ == "__main__":
    main()
