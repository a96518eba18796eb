"""The boto3 peer of the S3 bench rows (bench/storage.ts): managed transfers with the default TransferConfig.

argv: endpoint bucket key size; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Makes `size` random bytes, then reads commands from stdin, one per line, and answers
each with one JSON line: `upload` (upload_fileobj from memory), `download` (download_fileobj into memory, checked
against the bytes uploaded), `quit`. Times are wall milliseconds around the one boto3 call.
"""

import io
import json
import os
import sys
import time

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

endpoint, bucket, key, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
client = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    config=Config(s3={"addressing_style": "path"}),
)
transfer = TransferConfig()  # the defaults: 8 MiB threshold and parts, 10 threads
data = os.urandom(size)
print(json.dumps({"ready": True, "multipart_chunksize": transfer.multipart_chunksize, "max_concurrency": transfer.max_concurrency}), flush=True)

for line in sys.stdin:
    command = line.strip()
    if command == "quit":
        break
    t0 = time.perf_counter()
    if command == "upload":
        client.upload_fileobj(io.BytesIO(data), bucket, key, Config=transfer)
        ms = (time.perf_counter() - t0) * 1000
    elif command == "download":
        out = io.BytesIO()
        client.download_fileobj(bucket, key, out, Config=transfer)
        ms = (time.perf_counter() - t0) * 1000
        if out.getbuffer() != data:
            print(json.dumps({"error": "download_fileobj returned other bytes than were uploaded"}), flush=True)
            continue
    else:
        print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
        continue
    print(json.dumps({"ms": ms}), flush=True)
