from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from oglabs.core.canonical import canonical_json, content_hash, normalise


def test_canonical_json_sorts_keys_and_drops_whitespace():
    assert canonical_json({"b": 1, "a": [True, None, "ä"]}) == '{"a":[true,null,"ä"],"b":1}'.encode()


def test_canonical_json_writes_datetimes_in_utc_with_microseconds():
    berlin_winter = timezone(timedelta(hours=1))
    value = datetime(2019, 10, 31, 23, 59, 59, tzinfo=berlin_winter)
    assert canonical_json(value) == b'"2019-10-31T22:59:59.000000Z"'


def test_canonical_json_keeps_decimal_text_and_dates():
    assert canonical_json([Decimal("1234.50"), date(2020, 1, 1)]) == b'["1234.50","2020-01-01"]'


def test_canonical_json_refuses_floats_and_naive_datetimes():
    with pytest.raises(TypeError):
        canonical_json(0.1)
    with pytest.raises(ValueError):
        canonical_json(datetime(2019, 10, 31, 12, 0))  # the naive value is the point


def test_normalise_is_idempotent():
    value = {"at": datetime(2020, 2, 1, tzinfo=UTC), "amount": Decimal("3.00"), "list": (1, 2)}
    assert normalise(normalise(value)) == normalise(value)


def test_content_hash_is_sha256_of_canonical_json():
    assert content_hash({}) == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
