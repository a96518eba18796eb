"""CPython oracle for the template differential test.

stdin: a JSON array of cases {"template": str, "values": {name: {"t": "i"|"f"|"s"|"b", "v": ...}}}
  i: int as signed hex text ("-0x1f"), exact at any size (decimal text is limited to 4300 digits)
  f: float as the 16 hex digits of its IEEE-754 bits, big-endian (exact, NaN/inf/-0 included)
  s: str;  b: bool
stdout: a JSON array, one per case, {"ok": str}, {"big": length} for an output over BIG characters (ckpt's
  documented output cap: sending it whole could exceed what one JSON string in Node can hold), or
  {"err": "ExceptionType: message"}
"""
import json
import struct
import sys

BIG = 1_000_000


def decode(v):
    t = v['t']
    if t == 'i':
        return int(v['v'], 16)
    if t == 'f':
        return struct.unpack('>d', bytes.fromhex(v['v']))[0]
    if t == 'b':
        return bool(v['v'])
    return v['v']


def run(case):
    try:
        values = {k: decode(v) for k, v in case['values'].items()}
        out = case['template'].format(**values)
        return {'big': len(out)} if len(out) > BIG else {'ok': out}
    except Exception as e:  # every Python error counts as "error"
        return {'err': f'{type(e).__name__}: {e}'}


cases = json.load(sys.stdin)
json.dump([run(c) for c in cases], sys.stdout, ensure_ascii=True)
