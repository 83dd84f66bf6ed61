"""Naming helpers; `tag_for` fails on purpose when given a bucket name it cannot parse."""


def tag_for(bucket_name: str) -> dict:
    prefix, _, suffix = bucket_name.rpartition("-")
    if len(suffix) != 8:
        raise ValueError(f"bucket name {bucket_name!r} has no 8-character suffix")
    return {"prefix": prefix}
