# demo::Sample (tests/inspect/inspect_target_types.hpp) written by hand, not by --emit-layout:
# the tests decode the same segment through this file and through DWARF and expect the same
# values. Bit-fields here use one 4-byte storage unit where gcc's DWARF uses two.
meta:
  id: sample
  endian: le
  -size: 192
seq:
  - id: seq
    type: u8le
    offset: 0
  - {id: temperature, type: s4, offset: 8}
  - {id: port, type: u2, offset: 12}
  - {id: enabled, type: u1, offset: 14, -kind: bool}
  - {id: tag, type: s1, offset: 15, -kind: char}
  - {id: mode, type: u1, offset: 16, enum: mode}
  - {id: level, type: s4, offset: 20, enum: level}
  - {id: name, type: str, size: 16, encoding: UTF-8, offset: 24}
  - {id: raw, type: u1, offset: 40, repeat: expr, repeat-expr: 4}
  - {id: pos, type: point, offset: 48}
  - {id: path, type: point, offset: 64, repeat: expr, repeat-expr: 3}
  - {id: grid, type: s2, offset: 112, repeat: expr, repeat-expr: 2, -inner-dims: [3]}
  - {id: word, type: word, offset: 124}
  - {id: flags, type: flags, offset: 128}
  - {id: counter, type: u4, offset: 132, -atomic: true}
  - {id: alive, type: u1, offset: 136, -kind: bool, -atomic: true}
  - {id: gauge, type: f8, offset: 144, -atomic: true}
  - {id: last, type: u8, offset: 152, -kind: pointer, -atomic: true}
  - {id: label, type: u8, offset: 160, -kind: pointer}
  - {id: ratio, type: f8, offset: 168}
  - {id: writer_a, type: u8, offset: 176}
  - {id: writer_b, type: u8, offset: 184}
types:
  point:
    meta: {-size: 16}
    seq:
      - {id: x, type: f4, offset: 0}
      - {id: y, type: f8, offset: 8}
  word:
    meta: {-size: 4, -union: true}
    seq:
      - {id: u, type: u4, offset: 0}
      - {id: f, type: f4, offset: 0}
      - {id: bytes, type: u1, offset: 0, repeat: expr, repeat-expr: 4}
  flags:
    meta: {-size: 4}
    seq:
      - {id: ready, type: b1, offset: 0, bit-offset: 0, -storage: 4}
      - {id: count, type: b5, offset: 0, bit-offset: 1, -storage: 4}
      - {id: delta, type: b4, offset: 0, bit-offset: 6, -storage: 4, -signed: true}
      - {id: mode, type: b2, offset: 0, bit-offset: 10, -storage: 4, enum: mode}
      - {id: "on", type: b1, offset: 0, bit-offset: 12, -storage: 4, -kind: bool}
enums:
  mode:
    0: Idle
    1: Running
    2: Error
  level:
    -1: kLow
    0: kMid
    7: {id: kHigh, doc: "the only one with a doc"}
