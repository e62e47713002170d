/* A C struct with a flexible array member: its length comes from the segment's size. */
#ifndef SHMSCOPE_INSPECT_RING_H
#define SHMSCOPE_INSPECT_RING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef __cplusplus /* a flexible array member is C only (ISO C++ has none) */
typedef struct {
  uint32_t head;
  uint32_t capacity;
  int32_t items[];
} Ring;
#endif

/* Fills a ring of `capacity` items (memory of sizeof(Ring) + 4 * capacity bytes): item i = 10 * i + k. */
void ring_fill(void* memory, uint32_t capacity, uint32_t k);

#ifdef __cplusplus
}
#endif

#endif
