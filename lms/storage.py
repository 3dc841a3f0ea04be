"""The one S3 client of a process: presigned POST up, presigned GET down, HEAD, ranged GET, delete.

boto3 calls block, so every network call here runs in a worker thread (``sync_to_thread``); a store that cannot be
reached becomes ``StoreUnavailable`` (503), never a 500.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from litestar.concurrency import sync_to_thread

from lms.errors import StoreUnavailable
from lms.observability.metrics import inc
from lms.settings import Settings


def make_s3_client(endpoint_url: str, region: str, access_key: str, secret_key: str, *, timeout: float = 5.0) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            connect_timeout=timeout,
            read_timeout=timeout * 4,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    )


class Storage:
    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_bucket
        args = (settings.s3_region, settings.s3_access_key_id, settings.s3_secret_access_key)
        self.client = make_s3_client(settings.s3_endpoint_url, *args)
        # Presigned URLs are signed for the host the browser will reach.
        public = settings.s3_public_endpoint_url or settings.s3_endpoint_url
        self.signer = self.client if public == settings.s3_endpoint_url else make_s3_client(public, *args)

    async def _call(self, fn: Any, **kwargs: Any) -> Any:
        try:
            return await sync_to_thread(fn, **kwargs)
        except ClientError as exc:
            if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
                inc("s3_errors", operation=getattr(fn, "__name__", "other"))
            raise
        except (BotoCoreError, EndpointConnectionError, OSError) as exc:
            inc("s3_errors", operation=getattr(fn, "__name__", "other"))
            raise StoreUnavailable() from exc

    async def ping(self) -> bool:
        try:
            await self._call(self.client.head_bucket, Bucket=self.bucket)
        except (StoreUnavailable, ClientError):
            return False
        return True

    async def ensure_bucket(self) -> None:
        try:
            await self._call(self.client.head_bucket, Bucket=self.bucket)
        except ClientError:
            await self._call(self.client.create_bucket, Bucket=self.bucket)

    def presigned_post(
        self, key: str, content_type: str, max_bytes: int, expires: int = 900, redirect: str | None = None
    ) -> dict[str, Any]:
        """Signing is local computation: no thread, no network. ``redirect``: where the store sends a plain HTML form."""
        fields: dict[str, Any] = {"Content-Type": content_type}
        conditions: list[Any] = [["content-length-range", 1, max_bytes], {"Content-Type": content_type}]
        if redirect:
            fields["success_action_redirect"] = redirect
            conditions.append({"success_action_redirect": redirect})
        return self.signer.generate_presigned_post(
            self.bucket, key, Fields=fields, Conditions=conditions, ExpiresIn=expires
        )

    async def start_multipart(self, key: str, content_type: str) -> str:
        started = await self._call(
            self.client.create_multipart_upload, Bucket=self.bucket, Key=key, ContentType=content_type
        )
        return started["UploadId"]

    def presigned_part(self, key: str, upload_id: str, part_number: int, expires: int = 12 * 3600) -> str:
        return self.signer.generate_presigned_url(
            "upload_part",
            Params={"Bucket": self.bucket, "Key": key, "UploadId": upload_id, "PartNumber": part_number},
            ExpiresIn=expires,
        )

    async def complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        await self._call(
            self.client.complete_multipart_upload,
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in sorted(parts)]},
        )

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            await self._call(self.client.abort_multipart_upload, Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError:
            pass  # already completed or aborted

    async def upload_file(self, key: str, path: str, content_type: str) -> None:
        """A local file of any size (multipart when large), e.g. a course folder's video."""
        await self._call(
            self.client.upload_file, Filename=path, Bucket=self.bucket, Key=key, ExtraArgs={"ContentType": content_type}
        )

    async def upload_fileobj(self, key: str, fileobj: Any, content_type: str) -> None:
        """A readable file object of any size (multipart when large), e.g. a file unpacked from a package zip."""
        await self._call(
            self.client.upload_fileobj,
            Fileobj=fileobj,
            Bucket=self.bucket,
            Key=key,
            ExtraArgs={"ContentType": content_type},
        )

    async def delete_prefix(self, prefix: str) -> None:
        """Every object under the prefix (a half-written package after a failed import)."""
        keys = [item["Key"] for item in await self.list_keys(prefix)]
        for start in range(0, len(keys), 1000):
            await self._call(
                self.client.delete_objects,
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": k} for k in keys[start : start + 1000]], "Quiet": True},
            )

    def presigned_get(
        self, key: str, content_type: str, filename: str, expires: int = 3600, inline: bool = True
    ) -> str:
        disposition = "inline" if inline else "attachment"
        return self.signer.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": f'{disposition}; filename="{filename}"',
            },
            ExpiresIn=expires,
        )

    async def head(self, key: str) -> dict[str, Any] | None:
        try:
            return await self._call(self.client.head_object, Bucket=self.bucket, Key=key)
        except ClientError:
            return None

    async def first_bytes(self, key: str, count: int = 4096) -> bytes:
        got = await self._call(self.client.get_object, Bucket=self.bucket, Key=key, Range=f"bytes=0-{count - 1}")
        return await sync_to_thread(got["Body"].read)

    async def last_bytes(self, key: str, count: int = 4096) -> bytes:
        got = await self._call(self.client.get_object, Bucket=self.bucket, Key=key, Range=f"bytes=-{count}")
        return await sync_to_thread(got["Body"].read)

    async def copy(self, source: str, target: str, content_type: str) -> None:
        """A copy inside the store (the bytes never pass through the service), with its content type set anew."""
        await self._call(
            self.client.copy_object,
            Bucket=self.bucket,
            Key=target,
            ContentType=content_type,
            CopySource={"Bucket": self.bucket, "Key": source},
            MetadataDirective="REPLACE",
        )

    async def open(self, key: str, byte_range: tuple[int, int] | None = None) -> tuple[Any, int]:
        """An object's body to read in chunks (off the event loop), or one byte range of it, and its length."""
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if byte_range:
            kwargs["Range"] = f"bytes={byte_range[0]}-{byte_range[1]}"
        got = await self._call(self.client.get_object, **kwargs)
        return got["Body"], int(got["ContentLength"])

    async def read(self, key: str) -> bytes:
        got = await self._call(self.client.get_object, Bucket=self.bucket, Key=key)
        return await sync_to_thread(got["Body"].read)

    async def put(self, key: str, body: bytes, content_type: str) -> None:
        await self._call(self.client.put_object, Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)

    async def delete(self, key: str) -> None:
        await self._call(self.client.delete_object, Bucket=self.bucket, Key=key)

    async def list_keys(self, prefix: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
            if token:
                kwargs["ContinuationToken"] = token
            page = await self._call(self.client.list_objects_v2, **kwargs)
            out.extend(page.get("Contents", []))
            if not page.get("IsTruncated"):
                return out
            token = page.get("NextContinuationToken")
