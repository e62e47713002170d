#include "inspect_ring.h"

void ring_fill(void* memory, uint32_t capacity, uint32_t k) {
  Ring* ring = (Ring*)memory;
  ring->head = k;
  ring->capacity = capacity;
  for (uint32_t i = 0; i < capacity; ++i) ring->items[i] = (int32_t)(10 * i + k);
}

/* A type this unit and inspect_config_b.c define differently (legal in C, one per unit): the
   reader must call the name ambiguous rather than pick one. */
typedef struct {
  int a;
} Config;
Config g_config_a = {1};
