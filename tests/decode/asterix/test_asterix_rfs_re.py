"""CAT001 Random Field Sequencing and Reserved Expansion Fields: read where defined, never guessed at."""

from __future__ import annotations

from airpicture.decode.asterix import AsterixDecoder

RECEIVED_S = 1.7e9 + 100.0
I010 = bytes([8, 9])
I020_TRACK_SSR = bytes([0xA0])  # TYP = 1 (track UAP), SSR/PSR = 2 (SSR), no extension
I161 = bytes([0x00, 0x2A])
I040 = bytes([0x0C, 0x80, 0x40, 0x00])  # 25 NM, 90 deg
I070 = bytes([0x02, 0x80])  # Mode 3/A 1200
I090 = bytes([0x05, 0x78])  # FL 350
I141 = bytes([0x32, 0x00])  # 100 s modulo 512


def _block(category: int, *records: bytes) -> bytes:
    body = b"".join(records)
    return bytes([category]) + (3 + len(body)).to_bytes(2, "big") + body


def _fspec_ordered() -> bytes:
    # FRN 1-4 and 7, then FRN 8 (I090) and 9 (I141)
    return bytes([0xF3, 0xC0]) + I010 + I020_TRACK_SSR + I161 + I040 + I070 + I090 + I141


def _random_fields(*pairs: tuple[int, bytes]) -> bytes:
    # FRN 1-4 in the FSPEC, FRN 21 (RFS) in its third octet; the rest as (FRN, item) pairs in any order
    rfs = bytes([len(pairs)]) + b"".join(bytes([frn]) + item for frn, item in pairs)
    return bytes([0xF1, 0x01, 0x02]) + I010 + I020_TRACK_SSR + I161 + I040 + rfs


def _row(table) -> dict:
    return {k: v for k, v in table.to_pylist()[0].items() if k != "edition"}


def test_random_field_sequencing_reads_like_the_fspec_ordered_record():
    ordered = AsterixDecoder().decode(_block(1, _fspec_ordered()), RECEIVED_S)
    decoder = AsterixDecoder()
    shuffled = decoder.decode(_block(1, _random_fields((9, I141), (7, I070), (8, I090))), RECEIVED_S)
    assert decoder.errors == {}
    assert shuffled.num_rows == ordered.num_rows == 1
    row = _row(shuffled)
    assert row == _row(ordered)
    assert (row["squawk"], row["alt_baro_ft"], row["track_number"]) == ("1200", 35000.0, 42)
    assert row["record_type"] == "track"
    assert abs(row["range_m"] - 25 * 1852.0) < 1e-6 and row["azimuth_deg"] == 90.0
    explained = AsterixDecoder().explain(_block(1, _random_fields((9, I141), (7, I070), (8, I090))))[0]
    assert explained["070"]["Mode3A"] == 0o1200 and explained["141"]["TToD"] == 100.0


def test_random_field_sequencing_with_an_undefined_or_repeated_item_is_a_counted_error_not_a_guess():
    good = _block(1, _fspec_ordered())
    undefined = _block(1, _random_fields((7, I070), (30, I090)))  # FRN 30 is not in the track UAP
    itself = _block(1, _random_fields((21, bytes([0]))))  # RFS naming RFS
    repeated = _block(1, _random_fields((4, I040)))  # I040 is already in the FSPEC
    decoder = AsterixDecoder()
    table = decoder.decode(undefined + good + itself + good + repeated + good, RECEIVED_S)
    assert table.num_rows == 3
    assert table.column("squawk").to_pylist() == ["1200"] * 3
    reasons = {key.split(": ")[1]: n for key, n in decoder.errors.items()}
    assert reasons == {
        "random field sequencing names an item outside the UAP": 2,
        "random field sequencing repeats an item": 1,
    }


def _cat021_with_re(re_field: bytes) -> bytes:
    # FRN 1 (I010) and FRN 48 (RE): FSPEC of 7 octets
    fspec = bytes([0x81, 0x01, 0x01, 0x01, 0x01, 0x01, 0x04])
    return _block(21, fspec + I010 + bytes([len(re_field) + 1]) + re_field)


def test_reserved_expansion_field_is_decoded_where_defined_and_kept_opaque_and_counted_otherwise():
    decoder = AsterixDecoder()
    sgv = _cat021_with_re(bytes([0x08, 0xF0, 0x01, 0x62]))  # SGV: STP HTS HTT HRD, GSS 0 kt, HGT 137.8125 deg
    sta = _cat021_with_re(bytes([0x04, 0x80]))  # STA: a subfield we do not define
    records = decoder.explain(sgv + sta)
    assert records[0]["RE"] == {"SGV": {"STP": 1, "HTS": 1, "HTT": 1, "HRD": 1, "GSS": 0.0, "HGT": 137.8125}}
    assert records[1]["RE"] == {"hex": "030480"}
    table = decoder.decode(sgv + sta, RECEIVED_S)
    assert table.num_rows == 2 and decoder.errors == {}
    assert decoder.undecoded == {"CAT021 RE": 1}
