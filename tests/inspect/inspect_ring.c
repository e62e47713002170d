#include "inspect_ring.h"

void ring_fill(void* memory, uint32_t capacity, uint32_t k) {
  Ring* ring = (Ring*)memory;
  ring->head = k;
  ring->capacity = capacity;
  for (uint32_t i = 0; i < capacity; ++i) ring->items[i] = (int32_t)(10 * i + k);
}
