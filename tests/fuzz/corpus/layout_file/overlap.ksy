meta: {id: t}
seq:
  - {id: a, type: u4, offset: 0}
  - {id: b, type: u4, offset: 2}
