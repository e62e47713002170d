meta: {id: t, -size: 16, -union: true}
seq:
  - {id: a, type: b3, offset: 0, bit-offset: 2, -storage: 2, -signed: true}
  - {id: r, type: u1, offset: 8, repeat: eos}
