"""Prints CPython's Unicode tables that str.format depends on, as JSON:
non-printable code point ranges (str.isprintable is False; used by repr) and
decimal-digit ranges (unicodedata.decimal; used for widths and positional field names).
src/format/unicode-tables.ts embeds these; test/format/unicode-tables.test.ts checks them."""
import json, unicodedata, sys

def ranges(pred):
    out, start = [], None
    for c in range(0x110000):
        if pred(c):
            if start is None:
                start = c
        elif start is not None:
            out.append([start, c - 1]); start = None
    if start is not None:
        out.append([start, 0x10FFFF])
    return out

json.dump({
    'unidata_version': unicodedata.unidata_version,
    'nonPrintable': ranges(lambda c: not chr(c).isprintable()),
    'decimal': ranges(lambda c: unicodedata.decimal(chr(c), None) is not None),
}, sys.stdout)
